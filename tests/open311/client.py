"""A city app against Batline's Open311 GeoReport v2 API, with a real
client library: the `georeport` package from PyPI reads (services,
definitions, requests, in JSON and in XML); it cannot post, so the post
goes through `requests` as a form, as the specification says.

Used by tests/e2e/open311.rs:

    client.py BASE_URL post API_KEY SERVICE_CODE LAT LONG DESCRIPTION
        prints the post's answer (a JSON list)
    client.py BASE_URL read REQUEST_ID
        prints what the client library reads, as one JSON object
"""

import json
import sys

import requests
from georeport import GeoReport


def post(base, api_key, service_code, lat, lon, description):
    answer = requests.post(
        f"{base}/requests.json",
        data={
            "api_key": api_key,
            "service_code": service_code,
            "lat": lat,
            "long": lon,
            "description": description,
            "email": "reporter@example.fi",
        },
        timeout=10,
    )
    answer.raise_for_status()
    print(json.dumps(answer.json()))


def read(base, request_id):
    as_json = GeoReport(base)
    as_xml = GeoReport(base, output_format="xml")
    services = as_json.get_service_list()
    xml_services = as_xml.get_service_list()
    first = services[0]["service_code"]
    print(
        json.dumps(
            {
                "service_codes": [s["service_code"] for s in services],
                "xml_service_codes": [s["service_code"] for s in xml_services],
                "definition": as_json.get_service_definition(first),
                "request": as_json.get_service_request(request_id),
                "xml_request": as_xml.get_service_request(request_id),
                "closed": [r["service_request_id"] for r in as_json.get_service_requests(status="closed")],
                "by_id": [r["service_request_id"] for r in as_json.get_service_requests(service_request_id=request_id)],
            }
        )
    )


if __name__ == "__main__":
    base, command, *args = sys.argv[1:]
    {"post": post, "read": read}[command](base, *args)
