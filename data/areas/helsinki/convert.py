#!/usr/bin/env python3
"""Builds Batline's Helsinki area data from the city's open data.

Run it again when the sources change:

    python3 data/areas/helsinki/convert.py SOURCE_DIR

SOURCE_DIR holds the raw downloads named in SOURCE.md (they are not kept in the
repository: together they are about 9 MB). Needs Python 3.10+ and shapely 2.

Writes, beside this script:

- areas.geojson: every area at every level, one Feature each, properties
  code, level (major_district | district | sub_district), name_fi, name_sv,
  parent (the code of the area one level up, or null).
- streets.tsv: name_fi, name_sv, number_from, number_to, lon, lat; one row per
  house-number range of a street (numbers grouped by tens), the point being
  the mean of that range's address points. A street whose addresses carry no
  number gets one row with empty numbers.
- places.tsv: name_fi, name_sv, lon, lat; named places (parks, squares,
  islands, halls...) from the city's place-name register that are not streets.
- postal_codes.tsv: code, district; the district holding most address points
  inside the postal code area.

Why these choices are made is written in SOURCE.md.
"""

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from shapely import STRtree
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.ops import unary_union

HERE = Path(__file__).resolve().parent

# Simplification tolerance in degrees (about 3 m north-south, 1.5 m east-west
# at 60° N): keeps borders within a few metres of the city's line while
# cutting the vertex count by about 80 %.
TOLERANCE = 0.00003
DECIMALS = 5  # 1e-5° is about 1 m

# The sea outside the archipelago is a division of its own in the city's
# data, not a district anyone lives in.
SEA = {"Aluemeri", "ALUEMERI", "533"}

# Swedish district names written in capitals in the source whose second word
# is not capitalised (Swedish writes "Västra hamnen", "Främre Tölö").
SV_DISTRICT_CASE = {
    "VÄSTRA HAMNEN": "Västra hamnen",
    "FRÄMRE TÖLÖ": "Främre Tölö",
    "BORTRE TÖLÖ": "Bortre Tölö",
}

# Words written in lower case inside multi-word street and place names.
LOWER_WORDS = {
    # Finnish generic parts
    "katu", "tie", "polku", "kuja", "puisto", "puistikko", "aukio", "tori",
    "ranta", "silta", "raitti", "väylä", "rinne", "kenttä", "kallio", "luoto",
    "saari", "lahti", "niemi", "salmi", "halli", "kauppahalli", "kartano",
    "luonnonsuojelualue", "siirtolapuutarha", "urheilupuisto", "uimaranta",
    "venesatama", "satama", "laituri", "portti", "mäki", "metsä", "lehto",
    "ja", "tiedepuisto", "yritysalue", "lentokenttä", "kirkko", "asema",
    "koulu", "kirjasto", "leikkipuisto", "pelikenttä", "koira-aitaus",
    # Swedish generic parts and particles
    "gata", "gatan", "väg", "vägen", "stig", "stigen", "gränd", "gränden",
    "park", "parken", "plan", "planen", "torg", "torget", "strand",
    "stranden", "bro", "bron", "stråk", "stråket", "backe", "backen", "allé",
    "hall", "saluhall", "gård", "holme", "holmen", "udde", "vik", "viken",
    "naturskyddsområde", "koloniträdgård", "idrottspark", "simstrand",
    "båthamn", "hamn", "hamnen", "kaj", "kajen", "port", "porten", "skog",
    "och", "forskarpark", "företagsområde", "flygfält", "kyrka", "station",
    "skola", "bibliotek", "lekpark", "holmarna", "centrum",
    # name particles
    "von", "af", "de", "la", "van", "der",
}
ROMAN = re.compile(r"^[ivxl]+$")


def title(word_lower: str, first: bool) -> str:
    """One word of a name the source gives in lower case."""
    if ROMAN.match(word_lower) and not first:
        return word_lower.upper()
    if not first and word_lower in LOWER_WORDS:
        return word_lower
    return "-".join(p[:1].upper() + p[1:] for p in word_lower.split("-"))


def restore_case(name: str) -> str:
    words = name.split()
    return " ".join(title(w, i == 0) for i, w in enumerate(words))


def capitalised(name: str) -> str:
    """A district name the source gives in capitals: ETU-TÖÖLÖ -> Etu-Töölö."""
    if name in SV_DISTRICT_CASE:
        return SV_DISTRICT_CASE[name]
    return " ".join(
        "-".join(p[:1] + p[1:].lower() for p in w.split("-")) for w in name.split()
    )


def rounded(geometry):
    """GeoJSON geometry with coordinates cut to DECIMALS."""

    def ring(coords):
        out = []
        for x, y in coords:
            p = [round(x, DECIMALS), round(y, DECIMALS)]
            if not out or out[-1] != p:
                out.append(p)
        return out

    def polygon(rings):
        # A ring that rounding collapsed (a sliver hole, a speck of an
        # island) is dropped: it cannot hold an address.
        out = [r for r in (ring(r) for r in rings) if len(r) >= 4]
        return out if out and len(out[0]) >= 4 and len(ring(rings[0])) >= 4 else None

    g = mapping(geometry)
    polys = [g["coordinates"]] if g["type"] == "Polygon" else list(g["coordinates"])
    kept = [p for p in (polygon(p) for p in polys) if p]
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


def without_slivers(geometry):
    """Drops holes under about 600 m², left where the city's small areas do
    not quite meet; a major district has no real hole that small."""
    def clean(p):
        return Polygon(p.exterior, [h for h in p.interiors if Polygon(h).area > 1e-7])

    if geometry.geom_type == "Polygon":
        return clean(geometry)
    return MultiPolygon([clean(p) for p in geometry.geoms if p.area > 1e-7])


def simplified(geometry):
    s = without_slivers(geometry).simplify(TOLERANCE, preserve_topology=True)
    return s if s.is_valid else s.buffer(0)


def feature(code, level, fi, sv, parent, geometry):
    return {
        "type": "Feature",
        "properties": {
            "code": code,
            "level": level,
            "name_fi": fi,
            "name_sv": sv,
            "parent": parent,
        },
        "geometry": rounded(simplified(geometry)),
    }


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(source: Path) -> None:
    districts_src = load(source / "kaupunginosat.geojson")["features"]
    subs_src = load(source / "osa_alueet.geojson")["features"]
    smallest_src = load(source / "pienalueet.geojson")["features"]
    gazetteer = load(source / "gazetteer.json")
    postal_src = load(source / "hki_postalcode_center.json")["features"]

    # Major districts: the city publishes them as the union of its smallest
    # statistical areas (pienalueet), each of which names its major district.
    major_parts = defaultdict(list)
    major_names = {}
    for f in smallest_src:
        p = f["properties"]
        code = f"suurpiiri:{p['suurpiiri_tunnus']}"
        major_parts[code].append(shape(f["geometry"]).buffer(0))
        major_names[code] = (
            capitalised(p["suurpiiri_nimi_fi"]),
            capitalised(p["suurpiiri_nimi_se"]),
        )
    majors = {code: unary_union(parts).buffer(0) for code, parts in major_parts.items()}

    districts = {}
    district_names = {}
    district_by_number = {}
    for f in districts_src:
        p = f["properties"]
        if p["nimi_fi"] in SEA:
            continue
        fi = capitalised(p["nimi_fi"])
        districts[fi] = shape(f["geometry"]).buffer(0)
        district_names[fi] = capitalised(p["nimi_se"])
        district_by_number[p["tunnus"]] = fi
    assert len(districts) == 59, len(districts)

    out = []
    for code in sorted(majors, key=lambda c: int(c.split(":")[1])):
        fi, sv = major_names[code]
        out.append(feature(code, "major_district", fi, sv, None, majors[code]))

    # A district's major district is the one covering most of its area: the
    # two divisions are drawn separately and do not nest exactly.
    district_parent = {}
    for fi in sorted(districts):
        geom = districts[fi]
        parent = max(majors, key=lambda c: majors[c].intersection(geom).area)
        district_parent[fi] = parent
        out.append(feature(fi, "district", fi, district_names[fi], parent, geom))

    # A sub-district's code starts with its district's number (101 is in 10).
    for f in sorted(subs_src, key=lambda f: f["properties"]["tunnus"]):
        p = f["properties"]
        if p["tunnus"] in SEA:
            continue
        parent = district_by_number[p["tunnus"][:2]]
        out.append(
            feature(
                f"osa-alue:{p['tunnus']}",
                "sub_district",
                p["nimi_fi"],
                p["nimi_se"],
                parent,
                shape(f["geometry"]),
            )
        )

    with open(HERE / "areas.geojson", "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        f.write(",\n".join(json.dumps(x, ensure_ascii=False, separators=(",", ":")) for x in out))
        f.write("\n]}\n")

    # Streets. The source keys each address list by the Finnish and by the
    # Swedish name, Finnish first; a street's two names share the same list.
    by_points = defaultdict(list)
    for name, entries in gazetteer["streets"].items():
        key = json.dumps(sorted(map(tuple, entries), key=str))
        by_points[key].append(name.strip())
    streets = []
    for key, names in by_points.items():
        entries = json.loads(key)
        # Pairs in order: fi, sv, fi, sv... Several streets share a list only
        # when they share their (unnumbered) points; an odd one out has no
        # Swedish name of its own.
        pairs = [(names[i], names[i + 1] if i + 1 < len(names) else names[i]) for i in range(0, len(names), 2)]
        for fi, sv in pairs:
            streets.append((restore_case(fi), restore_case(sv), entries))

    district_tree_geoms = list(districts.values())
    district_tree_names = list(districts.keys())
    tree = STRtree(district_tree_geoms)

    def district_at(lon, lat):
        pt = Point(lon, lat)
        for i in tree.query(pt, predicate="intersects"):
            return district_tree_names[i]
        return None

    rows = []
    address_points = []
    for fi, sv, entries in sorted(streets, key=lambda s: (s[0], s[1])):
        numbered = defaultdict(list)
        unnumbered = []
        for number, _letter, lat, lon in entries:
            if isinstance(number, int):
                numbered[number // 10].append((number, lon, lat))
                address_points.append((lon, lat))
            else:
                unnumbered.append((lon, lat))
        if numbered:
            for bucket in sorted(numbered):
                pts = numbered[bucket]
                lon = sum(p[1] for p in pts) / len(pts)
                lat = sum(p[2] for p in pts) / len(pts)
                rows.append((fi, sv, str(min(p[0] for p in pts)), str(max(p[0] for p in pts)), lon, lat))
        elif unnumbered:
            lon = sum(p[0] for p in unnumbered) / len(unnumbered)
            lat = sum(p[1] for p in unnumbered) / len(unnumbered)
            rows.append((fi, sv, "", "", lon, lat))
    # Only streets inside Helsinki: the register's points all are, but a
    # mean of points on a bent street could fall in the sea; keep those too,
    # the loader finds the nearest district for them.
    with open(HERE / "streets.tsv", "w", encoding="utf-8") as f:
        f.write("name_fi\tname_sv\tnumber_from\tnumber_to\tlon\tlat\n")
        for fi, sv, a, b, lon, lat in rows:
            f.write(f"{fi}\t{sv}\t{a}\t{b}\t{lon:.{DECIMALS}f}\t{lat:.{DECIMALS}f}\n")

    street_names = {r[0].lower() for r in rows} | {r[1].lower() for r in rows}
    places = []
    items = list(gazetteer["places"].items())
    i = 0
    while i < len(items):
        name, point = items[i]
        sv = name
        if i + 1 < len(items) and items[i + 1][1] == point:
            sv = items[i + 1][0]
            i += 2
        else:
            i += 1
        name, sv = name.strip(), sv.strip()
        if name in street_names or sv in street_names:
            continue
        lat, lon = point
        if district_at(lon, lat) is None:
            continue
        places.append((restore_case(name), restore_case(sv), lon, lat))
    with open(HERE / "places.tsv", "w", encoding="utf-8") as f:
        f.write("name_fi\tname_sv\tlon\tlat\n")
        for fi, sv, lon, lat in sorted(places):
            f.write(f"{fi}\t{sv}\t{lon:.{DECIMALS}f}\t{lat:.{DECIMALS}f}\n")

    # Postal code -> district: the district holding most address points that
    # lie inside the postal code area.
    point_districts = [(Point(lon, lat), district_at(lon, lat)) for lon, lat in address_points]
    pt_tree = STRtree([p for p, _ in point_districts])
    codes = []
    for f in sorted(postal_src, key=lambda f: f["properties"]["posno"]):
        area = shape(f["geometry"]).buffer(0)
        counts = Counter(
            point_districts[i][1]
            for i in pt_tree.query(area, predicate="contains")
            if point_districts[i][1]
        )
        if not counts:
            # An area without addresses (harbour, forest): its largest district.
            best = max(districts, key=lambda d: districts[d].intersection(area).area)
        else:
            best = counts.most_common(1)[0][0]
        codes.append((f["properties"]["posno"], best, sum(counts.values())))
    with open(HERE / "postal_codes.tsv", "w", encoding="utf-8") as f:
        f.write("code\tdistrict\n")
        for code, district, _n in codes:
            f.write(f"{code}\t{district}\n")

    print(
        f"areas: {len(out)} ({len(majors)} major districts, {len(districts)} districts), "
        f"street ranges: {len(rows)} of {len(streets)} streets, places: {len(places)}, "
        f"postal codes: {len(codes)}"
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
