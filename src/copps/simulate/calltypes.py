"""911 call types of the synthetic city, in Seattle "911 Incident Response" vocabulary.

Each call type pairs an initial type (what the caller reported: description,
subgroup, group) with a clearance (what the officer found: code, description,
subgroup, group), as the Seattle export does. The triples are taken from the
real Seattle file in ``../shared/data/calls-for-service``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CALL_TYPES", "COLLISION_CALLS", "CRIME_CALLS", "CallType"]


@dataclass(frozen=True)
class CallType:
    """One kind of call for service.

    Attributes
    ----------
    initial : tuple of str
        Initial Type Description, Subgroup, Group.
    clearance : tuple of str
        Event Clearance Code, Description, SubGroup, Group.
    per_year : float
        Calls a year in the default city (0 for calls that only follow a crime or collision).
    rhythm : str
        Hour/weekday rhythm.
    land_use : dict
        Relative intensity per parcel by land use.
    facilities : dict
        Share at each facility type.
    arterial : float
        Extra weight for parcels on arterials (traffic work).
    hotspot : bool
        Whether planted hot spots raise this call type.
    """

    initial: tuple[str, str, str]
    clearance: tuple[str, str, str, str]
    per_year: float = 0.0
    rhythm: str = "flat"
    land_use: dict = field(default_factory=dict)
    facilities: dict = field(default_factory=dict)
    arterial: float = 1.0
    hotspot: bool = False


_SUSP = (
    "SUSPICIOUS PERSON, VEHICLE OR INCIDENT",
    "SUSPICIOUS CIRCUMSTANCES",
    "SUSPICIOUS CIRCUMSTANCES",
)
_DIST = ("DISTURBANCE, MISCELLANEOUS/OTHER", "DISTURBANCES", "DISTURBANCES")
_THEFT = ("THEFT (DOES NOT INCLUDE SHOPLIFT OR SVCS)", "OTHER PROPERTY", "THEFT")
_ROB = ("ROBBERY - IP/JO (INCLUDES STRONG ARM)", "ROBBERY", "ROBBERY")
_MVC = "MOTOR VEHICLE COLLISION INVESTIGATION"
_TRAF = "TRAFFIC RELATED CALLS"
_ALL = {
    "residential": 1,
    "multifamily": 1.5,
    "commercial": 2,
    "mall": 1.5,
    "park": 1.5,
    "school": 1,
}

#: Calls that arise on their own (not from a recorded crime or collision).
CALL_TYPES: dict[str, CallType] = {
    "suspicious": CallType(
        _SUSP,
        ("280", "SUSPICIOUS PERSON", "SUSPICIOUS CIRCUMSTANCES", "SUSPICIOUS CIRCUMSTANCES"),
        3000,
        "weekend_night",
        _ALL,
        {"convenience_store": 0.08, "motel": 0.08},
        hotspot=True,
    ),
    "disturbance": CallType(
        _DIST,
        ("245", "DISTURBANCE, OTHER", "DISTURBANCES", "DISTURBANCES"),
        2600,
        "weekend_night",
        _ALL,
        {"bar": 0.15, "apartment_complex": 0.1, "motel": 0.08, "convenience_store": 0.05},
        hotspot=True,
    ),
    "noise": CallType(
        ("NOISE - DISTURBANCE (PARTY, ETC)", "DISTURBANCES", "DISTURBANCES"),
        ("246", "NOISE DISTURBANCE, RESIDENTIAL", "NOISE DISTURBANCE", "DISTURBANCES"),
        1800,
        "weekend_night",
        {"residential": 1, "multifamily": 3},
        {"apartment_complex": 0.15, "bar": 0.05},
    ),
    "traffic_stop": CallType(
        ("TRAFFIC STOP - OFFICER INITIATED ONVIEW", _TRAF, _TRAF),
        ("460", "TRAFFIC (MOVING) VIOLATION", _TRAF, _TRAF),
        3400,
        "commute",
        {"residential": 0.3, "multifamily": 0.5, "commercial": 1, "mall": 1, "school": 1},
        arterial=12,
    ),
    "parking": CallType(
        ("PARKING VIOLATION (EXCEPT ABANDONED CAR)", _TRAF, "PARKING VIOLATIONS"),
        ("470", "PARKING VIOLATION (EXCEPT ABANDONED VEHICLES)", "PARKING VIOLATIONS", _TRAF),
        1500,
        "business",
        {"residential": 1, "multifamily": 2, "commercial": 2, "school": 2},
    ),
    "alarm_commercial": CallType(
        ("ALARM - COMM, SILENT/AUD BURG (INCL BANKS)", "ALACAD", "SUSPICIOUS CIRCUMSTANCES"),
        ("200", "ALACAD - COMMERCIAL BURGLARY (FALSE)", "BURGLARY ALACAD (FALSE)", "FALSE ALACAD"),
        1400,
        "overnight",
        {"commercial": 1, "mall": 1, "school": 0.5},
        {"big_box_store": 0.1, "convenience_store": 0.1, "gas_station": 0.05},
    ),
    "alarm_residential": CallType(
        ("ALARM - RESIDENTIAL - BURGLARY, SILENT/AUDIBLE", "ALACAD", "SUSPICIOUS CIRCUMSTANCES"),
        ("201", "ALACAD - RESIDENTIAL BURGLARY (FALSE)", "BURGLARY ALACAD (FALSE)", "FALSE ALACAD"),
        1100,
        "weekday_daytime",
        {"residential": 1, "multifamily": 0.5},
    ),
    "crisis": CallType(
        ("CRISIS - PERSON IN BEHAVIORAL/EMOTIONAL CRISIS", "BEHAVIORAL HEALTH", "CRISIS CALL"),
        ("220", "CRISIS COMPLAINT - GENERAL", "CRISIS CALL", "BEHAVIORAL HEALTH"),
        900,
        "flat",
        {"residential": 1, "multifamily": 2, "commercial": 1, "park": 1},
        {"motel": 0.1},
    ),
    "detox": CallType(
        ("DETOX - REQUEST FOR", "LIQUOR VIOLATIONS", "LIQUOR VIOLATIONS"),
        ("177", "LIQUOR VIOLATION - INTOXICATED PERSON", "LIQUOR VIOLATIONS", "LIQUOR VIOLATIONS"),
        700,
        "weekend_night",
        {"commercial": 2, "park": 2, "residential": 0.2, "multifamily": 1},
        {"bar": 0.35, "convenience_store": 0.15},
    ),
    "trespass": CallType(
        ("TRESPASS", "TRESPASS", "TRESPASS"),
        ("161", "TRESPASS", "TRESPASS", "TRESPASS"),
        1000,
        "flat",
        {"commercial": 2, "mall": 1, "school": 1, "multifamily": 1, "residential": 0.2},
        {"convenience_store": 0.2, "big_box_store": 0.15, "motel": 0.1},
        hotspot=True,
    ),
    "narcotics": CallType(
        (
            "NARCOTICS - VIOLATIONS (LOITER, USE, SELL, NARS)",
            "NARCOTICS COMPLAINTS",
            "NARCOTICS COMPLAINTS",
        ),
        ("184", "NARCOTICS, OTHER", "NARCOTICS COMPLAINTS", "NARCOTICS COMPLAINTS"),
        700,
        "weekend_night",
        {"park": 3, "commercial": 1.5, "multifamily": 1.5, "residential": 0.2},
        {"motel": 0.3},
        hotspot=True,
    ),
    "hazard": CallType(
        ("HAZ - POTENTIAL THRT TO PHYS SAFETY (NO HAZMAT)", "HAZARDS", "HAZARDS"),
        ("350", "HAZARDS", "HAZARDS", "HAZARDS"),
        700,
        "flat",
        _ALL,
        arterial=3,
    ),
    "found_property": CallType(
        ("PROPERTY - FOUND", "PROPERTY - MISSING, FOUND", "PROPERTY - MISSING, FOUND"),
        (
            "372",
            "PROPERTY - FOUND (FOLLOW UP TO SPD CASE)",
            "PROPERTY - MISSING, FOUND",
            "PROPERTY - MISSING, FOUND",
        ),
        500,
        "business",
        _ALL,
    ),
    "missing": CallType(
        ("MISSING - ADULT", "PERSONS - LOST, FOUND, MISSING", "PERSONS - LOST, FOUND, MISSING"),
        (
            "363",
            "MISSING PERSON",
            "PERSONS - LOST, FOUND, MISSING",
            "PERSONS - LOST, FOUND, MISSING",
        ),
        250,
        "flat",
        {"residential": 1, "multifamily": 1.5},
    ),
    "abandoned_vehicle": CallType(
        ("ABANDONED VEHICLE", _TRAF, "PARKING VIOLATIONS"),
        ("410", "ABANDONED VEHICLE", "PARKING VIOLATIONS", _TRAF),
        500,
        "business",
        {"residential": 1, "multifamily": 2, "commercial": 1},
    ),
    "dui": CallType(
        ("DUI - DRIVING UNDER INFLUENCE", _TRAF, _TRAF),
        ("450", "DRIVING WHILE UNDER INFLUENCE (DUI)", _TRAF, _TRAF),
        350,
        "weekend_night",
        {"residential": 0.3, "commercial": 1, "multifamily": 0.5},
        {"bar": 0.1},
        arterial=10,
    ),
    "blocking": CallType(
        ("TRAFFIC - BLOCKING ROADWAY", _TRAF, _TRAF),
        ("415", "BLOCKING VEHICLE", _TRAF, _TRAF),
        600,
        "commute",
        {"residential": 0.5, "commercial": 1, "school": 2, "multifamily": 1},
        arterial=4,
    ),
    "panhandling": CallType(
        ("PANHANDLING, AGGRESSIVE", "DISTURBANCES", "DISTURBANCES"),
        ("245", "DISTURBANCE, OTHER", "DISTURBANCES", "DISTURBANCES"),
        300,
        "daytime",
        {"commercial": 2, "mall": 2},
        {"convenience_store": 0.2, "big_box_store": 0.2},
        hotspot=True,
    ),
    "fight_call": CallType(
        ("FIGHT - IP - PHYSICAL (NO WEAPONS)", "DISTURBANCES", "DISTURBANCES"),
        ("242", "FIGHT DISTURBANCE", "DISTURBANCES", "DISTURBANCES"),
        500,
        "weekend_night",
        dict(_ALL),
        {"bar": 0.3},
        hotspot=True,
    ),
    "nuisance": CallType(
        ("NUISANCE - MISCHIEF", "MISCELLANEOUS MISDEMEANORS", "MISCELLANEOUS MISDEMEANORS"),
        (
            "250",
            "MISCHIEF, NUISANCE COMPLAINTS",
            "NUISANCE, MISCHIEF COMPLAINTS",
            "NUISANCE, MISCHIEF",
        ),
        800,
        "flat",
        dict(_ALL),
        hotspot=True,
    ),
}

#: Calls raised by a recorded crime, keyed by ``CrimeType.call``.
CRIME_CALLS: dict[str, CallType] = {
    "car_prowl": CallType(_THEFT, ("063", "THEFT - CAR PROWL", "CAR PROWL", "CAR PROWL")),
    "shoplift": CallType(
        ("SHOPLIFT - THEFT", "SHOPLIFTING", "THEFT"), ("064", "SHOPLIFT", "THEFT", "SHOPLIFTING")
    ),
    "theft": CallType(_THEFT, ("065", "THEFT - MISCELLANEOUS", "THEFT", "OTHER PROPERTY")),
    "burglary_res": CallType(
        ("BURG - RES (INCL UNOCC STRUCTURES ON PROP)", "BURGLARY", "RESIDENTIAL BURGLARIES"),
        ("050", "BURGLARY - RESIDENTIAL, UNOCCUPIED", "RESIDENTIAL BURGLARIES", "BURGLARY"),
    ),
    "burglary_com": CallType(
        ("ALARM - COMM, SILENT/AUD BURG (INCL BANKS)", "ALACAD", "SUSPICIOUS CIRCUMSTANCES"),
        ("052", "BURGLARY - COMMERCIAL", "COMMERCIAL BURGLARIES", "BURGLARY"),
    ),
    "auto_theft": CallType(
        ("AUTO THEFT - VEH THEFT OR THEFT AND RECOVERY", "AUTO THEFTS", "AUTO RECOVERIES"),
        ("071", "AUTO THEFT", "AUTO THEFTS", "AUTO THEFTS"),
    ),
    "assault": CallType(
        ("ASLT - IP/JO - WITH OR W/O WPNS (NO SHOOTINGS)", "ASSAULTS", "ASSAULTS"),
        ("040", "ASSAULTS, OTHER", "ASSAULTS", "ASSAULTS"),
    ),
    "assault_weapon": CallType(
        ("ASLT - WITH OR W/O WEAPONS (NO SHOOTINGS)", "ASSAULTS", "ASSAULTS"),
        ("040", "ASSAULTS, OTHER", "ASSAULTS", "ASSAULTS"),
    ),
    "robbery": CallType(_ROB, ("031", "STRONG ARM ROBBERY", "ROBBERY", "ROBBERY")),
    "robbery_armed": CallType(_ROB, ("030", "ARMED ROBBERY", "GUN CALLS", "ROBBERY")),
    "damage": CallType(
        ("PROPERTY - DAMAGE", "PROPERTY DAMAGE", "PROPERTY DAMAGE"),
        ("130", "PROPERTY DESTRUCTION", "PROPERTY DAMAGE", "PROPERTY DAMAGE"),
    ),
    "narcotics": CallType(
        CALL_TYPES["narcotics"].initial,
        ("181", "NARCOTICS ACTIVITY REPORT", "NARCOTICS COMPLAINTS", "NARCOTICS COMPLAINTS"),
    ),
    "fight": CallType(
        ("FIGHT - VERBAL/ORAL (NO WEAPONS)", "DISTURBANCES", "DISTURBANCES"),
        ("242", "FIGHT DISTURBANCE", "DISTURBANCES", "DISTURBANCES"),
    ),
    # Agencies publish domestic calls under a generic disturbance label.
    "disturbance_dv": CallType(
        _DIST, ("245", "DISTURBANCE, OTHER", "DISTURBANCES", "DISTURBANCES")
    ),
    "fraud": CallType(
        ("FRAUD - FORGERY,BUNCO, SCAMS, ID THEFT, ETC", "FRAUD CALLS", "FRAUD CALLS"),
        ("100", "FRAUD (INCLUDING IDENTITY THEFT)", "FRAUD CALLS", "FRAUD CALLS"),
    ),
    "weapon": CallType(
        ("WEAPN-IP/JO-GUN,DEADLY WPN (NO THRT/ASLT/DIST)", "WEAPONS CALLS", "WEAPONS CALLS"),
        ("292", "PERSON WITH A WEAPON (NOT GUN)", "WEAPONS CALLS", "WEAPONS CALLS"),
    ),
    "warrant": CallType(
        (
            "SUSPICIOUS STOP - OFFICER INITIATED ONVIEW",
            "SUSPICIOUS CIRCUMSTANCES",
            "SUSPICIOUS CIRCUMSTANCES",
        ),
        ("192", "MISDEMEANOR WARRANT SERVICE", "WARRANT CALLS", "ARREST"),
    ),
    "trespass": CALL_TYPES["trespass"],
}

#: Calls raised by a collision: non-injury, then injury.
COLLISION_CALLS = (
    CallType(
        ("MOTOR VEHICLE COLLISION, REPORT ONLY - NON INJURY/NON BLOCKING", _MVC, _TRAF),
        ("430", "MOTOR VEHICLE COLLISION", _TRAF, _MVC),
    ),
    CallType(
        ("MOTOR VEHICLE COLLISION WITH INJURIES - PRIORITY 1", _MVC, _TRAF),
        ("430", "MOTOR VEHICLE COLLISION", _TRAF, _MVC),
    ),
)
