-- The city's district division and its gazetteer (issue 19): areas at every
-- level with their boundaries, streets with house-number ranges, named
-- places and postal codes. `batline areas load <dir>` replaces all four
-- tables at once; `data/areas/helsinki/` is Helsinki's.
--
-- No PostGIS: boundaries are GeoJSON geometries (Polygon or MultiPolygon,
-- WGS84 longitude/latitude) kept as jsonb, and every point-in-polygon
-- question is answered in memory by batline-core's `place::CityMap`, which
-- is built from these tables at start-up.

CREATE TABLE areas (
    -- For a district (the level Batline routes on) its Finnish name, as the
    -- city writes it ("Kallio"): what cases, responders and walk-in points
    -- hold. Other levels carry a prefix ("suurpiiri:3", "osa-alue:113") so
    -- they never collide with a district's name.
    code text PRIMARY KEY,
    level text NOT NULL CHECK (level IN ('major_district', 'district', 'sub_district')),
    name_fi text NOT NULL,
    name_sv text NOT NULL,
    -- The area one level up. A district's major district is the one that
    -- covers most of it: the city draws the two separately.
    parent text REFERENCES areas (code) DEFERRABLE INITIALLY DEFERRED,
    boundary jsonb NOT NULL CHECK (boundary ->> 'type' IN ('Polygon', 'MultiPolygon'))
);

CREATE INDEX areas_level ON areas (level);

CREATE TABLE streets (
    id bigserial PRIMARY KEY,
    name_fi text NOT NULL,
    name_sv text NOT NULL,
    -- The district holding most of the street's address ranges; a long
    -- street crosses several, so finding a place uses the ranges' points.
    district text NOT NULL REFERENCES areas (code) DEFERRABLE INITIALLY DEFERRED,
    -- [{"from": 1, "to": 9, "lon": 24.95314, "lat": 60.18469}, ...]; "from"
    -- and "to" are null for a street whose addresses carry no number.
    ranges jsonb NOT NULL CHECK (jsonb_typeof(ranges) = 'array')
);

CREATE INDEX streets_name_fi ON streets (lower(name_fi));

CREATE TABLE places (
    id bigserial PRIMARY KEY,
    name_fi text NOT NULL,
    name_sv text NOT NULL,
    lon double precision NOT NULL,
    lat double precision NOT NULL,
    district text NOT NULL REFERENCES areas (code) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE postal_codes (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{5}$'),
    -- The district holding most of the code's addresses.
    district text NOT NULL REFERENCES areas (code) DEFERRABLE INITIALLY DEFERRED
);
