-- Where a case is (issue 19): the place as people name it, the point when
-- one is known (an address, a corner, a named place; a postal code or a
-- district's name gives none), and how it was known, in the issue's order
-- of trust: a point the resident shared, a walk-in point's address, an
-- Open311 lat/long, the resident's words, a responder typing an address.
ALTER TABLE cases
    ADD COLUMN location_label text,
    ADD COLUMN location_lon double precision,
    ADD COLUMN location_lat double precision,
    ADD COLUMN location_by text,
    ADD CONSTRAINT cases_location_label_length CHECK (char_length(location_label) BETWEEN 1 AND 200),
    -- A place is named and known some way, or not at all.
    ADD CONSTRAINT cases_location_whole CHECK ((location_label IS NULL) = (location_by IS NULL)),
    ADD CONSTRAINT cases_location_point_whole CHECK ((location_lon IS NULL) = (location_lat IS NULL)),
    ADD CONSTRAINT cases_location_point_needs_label CHECK (location_lon IS NULL OR location_label IS NOT NULL),
    ADD CONSTRAINT cases_location_on_earth
        CHECK (location_lon BETWEEN -180 AND 180 AND location_lat BETWEEN -90 AND 90),
    ADD CONSTRAINT cases_location_by
        CHECK (location_by IN ('shared', 'walk_in_point', 'open311', 'text', 'responder'));
