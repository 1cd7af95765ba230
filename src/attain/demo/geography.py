"""US geography for demo accounts: the three sales regions, their states and business hubs.

Accounts cluster around real metro areas (a few per state, weighted roughly by size), with
a small jitter, so maps look like a real customer base. Hubs on a state border or a coast
are nudged inland so jittered points stay in their state. Postcodes use the hub's real
three-digit ZIP prefix plus two generated digits.
"""

from __future__ import annotations

from dataclasses import dataclass

REGIONS = ("West", "Central", "East")


@dataclass(frozen=True)
class State:
    code: str
    name: str
    region: str


@dataclass(frozen=True)
class Hub:
    state: str
    city: str
    latitude: float
    longitude: float
    zip3: str
    weight: float  # rough metro size, millions


STATES = tuple(
    State(code, name, region)
    for region, rows in {
        "West": "WA Washington|OR Oregon|CA California|NV Nevada|ID Idaho|MT Montana|"
        "WY Wyoming|UT Utah|CO Colorado|AZ Arizona|NM New Mexico",
        "Central": "ND North Dakota|SD South Dakota|NE Nebraska|KS Kansas|OK Oklahoma|"
        "TX Texas|MN Minnesota|IA Iowa|MO Missouri|AR Arkansas|LA Louisiana|WI Wisconsin|"
        "IL Illinois|MI Michigan|IN Indiana|OH Ohio",
        "East": "KY Kentucky|TN Tennessee|MS Mississippi|AL Alabama|GA Georgia|FL Florida|"
        "SC South Carolina|NC North Carolina|VA Virginia|WV West Virginia|MD Maryland|"
        "DE Delaware|PA Pennsylvania|NJ New Jersey|NY New York|CT Connecticut|"
        "RI Rhode Island|MA Massachusetts|VT Vermont|NH New Hampshire|ME Maine",
    }.items()
    for code, name in (row.split(" ", 1) for row in rows.split("|"))
)
STATE_BY_CODE = {state.code: state for state in STATES}

_HUBS = """
WA Seattle 47.61 -122.33 981 4.0|WA Spokane 47.66 -117.43 992 0.6
OR Portland 45.52 -122.68 972 2.5|OR Eugene 44.05 -123.09 974 0.4
CA Los Angeles 34.05 -118.24 900 13.0|CA San Francisco 37.70 -122.25 941 7.0
CA San Diego 32.80 -117.05 921 3.3|CA Sacramento 38.58 -121.49 958 2.4
NV Las Vegas 36.17 -115.14 891 2.3|NV Reno 39.50 -119.70 895 0.5
ID Boise 43.62 -116.20 837 0.8|MT Billings 45.78 -108.50 591 0.2
MT Missoula 46.87 -113.99 598 0.2|WY Casper 42.87 -106.31 826 0.1
UT Salt Lake City 40.76 -111.89 841 1.3|CO Denver 39.74 -104.99 802 3.0
CO Colorado Springs 38.83 -104.82 809 0.8|AZ Phoenix 33.45 -112.07 850 5.0
AZ Tucson 32.22 -110.97 857 1.0|NM Albuquerque 35.08 -106.65 871 0.9
ND Bismarck 46.81 -100.78 585 0.2|SD Sioux Falls 43.54 -96.85 571 0.3
NE Lincoln 40.81 -96.70 685 0.6|KS Wichita 37.69 -97.34 672 0.6
KS Topeka 39.05 -95.68 666 0.2|OK Oklahoma City 35.47 -97.52 731 1.4
OK Tulsa 36.15 -95.99 741 1.0|TX Houston 29.76 -95.37 770 7.0
TX Dallas 32.78 -96.80 752 7.5|TX Austin 30.27 -97.74 787 2.3
TX San Antonio 29.42 -98.49 782 2.6|MN Minneapolis 44.98 -93.27 554 3.6
IA Des Moines 41.59 -93.62 503 0.7|MO St. Louis 38.63 -90.45 631 2.0
MO Springfield 37.21 -93.29 658 0.5|MO Columbia 38.95 -92.33 652 0.3
AR Little Rock 34.75 -92.29 722 0.7|LA New Orleans 29.98 -90.15 701 1.3
LA Baton Rouge 30.45 -91.19 708 0.9|WI Milwaukee 43.04 -88.05 532 1.6
WI Madison 43.07 -89.40 537 0.7|IL Chicago 41.85 -87.80 606 9.5
IL Springfield 39.78 -89.65 627 0.2|MI Detroit 42.45 -83.30 482 4.3
MI Grand Rapids 42.96 -85.67 495 1.1|IN Indianapolis 39.77 -86.16 462 2.1
OH Columbus 39.96 -83.00 432 2.1|OH Cleveland 41.40 -81.70 441 2.0
OH Cincinnati 39.20 -84.45 452 2.2
KY Louisville 38.20 -85.65 402 1.3|KY Lexington 38.04 -84.50 405 0.5
TN Nashville 36.16 -86.78 372 2.0|TN Memphis 35.12 -89.90 381 1.3
TN Knoxville 35.96 -83.92 379 0.9|MS Jackson 32.30 -90.18 392 0.6
AL Birmingham 33.52 -86.80 352 1.1|AL Huntsville 34.73 -86.59 358 0.5
GA Atlanta 33.75 -84.39 303 6.1|FL Miami 25.85 -80.30 331 6.1
FL Orlando 28.54 -81.38 328 2.7|FL Tampa 28.00 -82.35 336 3.2
FL Jacksonville 30.33 -81.70 322 1.6|SC Charleston 32.85 -80.05 294 0.8
SC Columbia 34.00 -81.03 292 0.8|NC Charlotte 35.23 -80.84 282 2.7
NC Raleigh 35.78 -78.64 276 1.4|VA Richmond 37.54 -77.44 232 1.3
VA Virginia Beach 36.80 -76.20 234 1.8|VA Fairfax 38.85 -77.30 220 2.5
WV Charleston 38.35 -81.63 253 0.2|MD Baltimore 39.29 -76.65 212 2.8
DE Dover 39.16 -75.52 199 0.5|PA Philadelphia 40.02 -75.30 191 6.0
PA Pittsburgh 40.44 -80.00 152 2.4|PA Harrisburg 40.27 -76.88 171 0.6
NJ Newark 40.70 -74.30 071 4.0|NJ Princeton 40.35 -74.66 085 1.0
NY New York 40.73 -73.90 100 12.0|NY Buffalo 42.90 -78.75 142 1.1
NY Albany 42.65 -73.80 122 0.9|NY Rochester 43.16 -77.61 146 1.0
CT Hartford 41.76 -72.68 061 1.2|CT New Haven 41.35 -72.95 065 0.9
RI Providence 41.82 -71.45 029 1.6|MA Boston 42.36 -71.15 021 4.9
MA Worcester 42.26 -71.80 016 0.9|VT Burlington 44.48 -73.10 054 0.2
NH Manchester 42.99 -71.46 031 0.4|ME Portland 43.70 -70.35 041 0.5
"""


def _parse_hub(text: str) -> Hub:
    state, *rest = text.split(" ")
    *city, lat, lon, zip3, weight = rest
    return Hub(state, " ".join(city), float(lat), float(lon), zip3, float(weight))


HUBS = tuple(_parse_hub(item) for line in _HUBS.strip().splitlines() for item in line.split("|"))

# Jitter around a hub, in degrees: about 8 km north-south, clipped at about 17 km.
JITTER_SD = (0.075, 0.095)
JITTER_MAX = (0.15, 0.19)
