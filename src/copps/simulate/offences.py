"""The crime types of the synthetic city, in SFPD incident-report vocabulary.

Categories and subcategories are those SFPD publishes in "Police Department
Incident Reports: 2018 to Present"; incident codes are five-digit codes in
SFPD's form (a few match SFPD's, most are synthetic). Each type says how
common it is, when it happens, where (land use and facility types), whether
its time is known only as a window, and whether it is sensitive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CRIMES_PER_YEAR", "CRIME_TYPES", "CrimeType"]

#: Expected crimes a year in the default city before near-repeat offspring.
CRIMES_PER_YEAR = 3300


@dataclass(frozen=True)
class CrimeType:
    """One kind of crime.

    Attributes
    ----------
    key : str
        Short internal name.
    category, subcategory, description, code : str
        SFPD Incident Category / Subcategory / Description / Code.
    share : float
        Share of the year's crimes.
    rhythm : str
        Name of the hour/weekday rhythm (see ``rhythms.RHYTHMS``).
    window_h : tuple of float
        Maximum hours before and after the true time that the victim cannot
        narrow down (aoristic window); (0, 0) when the time is known.
    land_use : dict
        Relative intensity per parcel by land use.
    facilities : dict
        Share of the type's events at each facility type.
    sensitive : str
        ``""`` or the reason it is sensitive (sexual, domestic, juvenile).
    call : str
        Key of the 911 call type it generates (``""``: none is published).
    p_online : float
        Share reported online (no call, no CAD number).
    p_arrest : float
        Share resolved by citation or arrest.
    """

    key: str
    category: str
    subcategory: str
    description: str
    code: str
    share: float
    rhythm: str
    window_h: tuple[float, float] = (0.0, 0.0)
    land_use: dict = field(default_factory=dict)
    facilities: dict = field(default_factory=dict)
    sensitive: str = ""
    call: str = ""
    p_online: float = 0.0
    p_arrest: float = 0.1


_HOME = {"residential": 1.0, "multifamily": 1.5}
_OUT = {
    "residential": 0.3,
    "multifamily": 1.2,
    "commercial": 2.0,
    "mall": 1.5,
    "park": 2.0,
    "school": 0.8,
}

CRIME_TYPES: tuple[CrimeType, ...] = (
    CrimeType(
        "theft_from_vehicle",
        "Larceny Theft",
        "Larceny - From Vehicle",
        "Theft, From Locked Vehicle, >$950",
        "06244",
        0.12,
        "overnight",
        (6, 6),
        {
            "residential": 1,
            "multifamily": 2,
            "commercial": 2,
            "mall": 4,
            "park": 1.5,
            "school": 0.5,
        },
        {"apartment_complex": 0.1, "motel": 0.08, "big_box_store": 0.05},
        call="car_prowl",
        p_online=0.4,
    ),
    CrimeType(
        "shoplifting",
        "Larceny Theft",
        "Larceny Theft - Shoplifting",
        "Theft, Shoplifting, <$950",
        "06372",
        0.08,
        "daytime",
        (0, 0),
        {"commercial": 1, "mall": 1},
        {"big_box_store": 0.45, "convenience_store": 0.35, "gas_station": 0.05},
        call="shoplift",
        p_arrest=0.3,
    ),
    CrimeType(
        "theft_other",
        "Larceny Theft",
        "Larceny Theft - Other",
        "Theft, Other Property, >$950",
        "06374",
        0.08,
        "daytime",
        (2, 2),
        {"residential": 1, "multifamily": 1.5, "commercial": 2, "mall": 2, "park": 2, "school": 1},
        call="theft",
        p_online=0.35,
    ),
    CrimeType(
        "burglary_residential",
        "Burglary",
        "Burglary - Residential",
        "Burglary, Residence, Forcible Entry",
        "05041",
        0.09,
        "weekday_daytime",
        (5, 4),
        dict(_HOME),
        {"apartment_complex": 0.08},
        call="burglary_res",
        p_arrest=0.05,
    ),
    CrimeType(
        "burglary_commercial",
        "Burglary",
        "Burglary - Commercial",
        "Burglary, Commercial Building, Forcible Entry",
        "05011",
        0.03,
        "overnight",
        (5, 5),
        {"commercial": 1, "mall": 1},
        {"convenience_store": 0.25, "gas_station": 0.1, "bar": 0.1},
        call="burglary_com",
        p_arrest=0.05,
    ),
    CrimeType(
        "vehicle_theft",
        "Motor Vehicle Theft",
        "Motor Vehicle Theft",
        "Vehicle, Stolen, Auto",
        "07021",
        0.08,
        "overnight",
        (6, 4),
        {"residential": 1, "multifamily": 2.5, "commercial": 1.5, "mall": 2},
        {"apartment_complex": 0.12, "motel": 0.1},
        call="auto_theft",
        p_arrest=0.05,
    ),
    CrimeType(
        "simple_assault",
        "Assault",
        "Simple Assault",
        "Battery",
        "04134",
        0.09,
        "weekend_night",
        land_use=dict(_OUT),
        facilities={
            "bar": 0.25,
            "apartment_complex": 0.1,
            "motel": 0.08,
            "convenience_store": 0.05,
        },
        call="assault",
        p_arrest=0.3,
    ),
    CrimeType(
        "aggravated_assault",
        "Assault",
        "Aggravated Assault",
        "Aggravated Assault With a Deadly Weapon",
        "04014",
        0.04,
        "weekend_night",
        land_use=dict(_OUT),
        facilities={"bar": 0.2, "motel": 0.1},
        call="assault_weapon",
        p_arrest=0.35,
    ),
    CrimeType(
        "robbery_street",
        "Robbery",
        "Robbery - Street",
        "Robbery, W/ Force",
        "03474",
        0.025,
        "weekend_night",
        land_use={"residential": 0.3, "multifamily": 1, "commercial": 2, "park": 2, "mall": 1},
        call="robbery",
        p_arrest=0.15,
    ),
    CrimeType(
        "robbery_commercial",
        "Robbery",
        "Robbery - Commercial",
        "Robbery, Commercial Establishment, W/ Gun",
        "03031",
        0.015,
        "weekend_night",
        land_use={"commercial": 1},
        facilities={"convenience_store": 0.55, "gas_station": 0.25},
        call="robbery_armed",
        p_arrest=0.15,
    ),
    CrimeType(
        "vandalism",
        "Malicious Mischief",
        "Vandalism",
        "Malicious Mischief, Vandalism to Property",
        "28150",
        0.09,
        "overnight",
        (6, 4),
        {
            "residential": 1,
            "multifamily": 1.5,
            "commercial": 1.5,
            "park": 3,
            "school": 2,
            "mall": 1,
        },
        call="damage",
        p_online=0.25,
    ),
    CrimeType(
        "drugs",
        "Drug Offense",
        "Drug Violation",
        "Methamphetamine, Possession",
        "16650",
        0.035,
        "weekend_night",
        land_use={"park": 3, "commercial": 1.5, "multifamily": 1.5, "residential": 0.2},
        facilities={"motel": 0.35},
        call="narcotics",
        p_arrest=0.9,
    ),
    CrimeType(
        "disorderly",
        "Disorderly Conduct",
        "Disorderly Conduct",
        "Disturbing the Peace, Fighting",
        "19057",
        0.025,
        "weekend_night",
        land_use=dict(_OUT),
        facilities={"bar": 0.35},
        call="fight",
        p_arrest=0.5,
    ),
    CrimeType(
        "domestic_violence",
        "Offences Against The Family And Children",
        "Other",
        "Domestic Violence (secondary only)",
        "15200",
        0.05,
        "weekend_night",
        land_use={"residential": 1, "multifamily": 3},
        facilities={"apartment_complex": 0.2, "motel": 0.1},
        sensitive="domestic",
        call="disturbance_dv",
        p_arrest=0.4,
    ),
    CrimeType(
        "child_abuse",
        "Offences Against The Family And Children",
        "Other",
        "Child, Inflicting Physical Pain, Mental Suffering",
        "15015",
        0.008,
        "flat",
        land_use={"residential": 1, "multifamily": 2},
        sensitive="juvenile",
        p_arrest=0.3,
    ),
    CrimeType(
        "rape",
        "Rape",
        "Rape",
        "Rape, Bodily Force",
        "02001",
        0.005,
        "weekend_night",
        land_use={"residential": 1, "multifamily": 2, "park": 1, "commercial": 0.5},
        facilities={"motel": 0.15},
        sensitive="sexual",
        p_arrest=0.1,
    ),
    CrimeType(
        "sex_offense",
        "Sex Offense",
        "Sex Offense",
        "Sexual Battery",
        "11033",
        0.008,
        "flat",
        land_use={"residential": 1, "multifamily": 1.5, "commercial": 1, "park": 1, "school": 1},
        sensitive="sexual",
        p_arrest=0.15,
    ),
    CrimeType(
        "fraud",
        "Fraud",
        "Fraud",
        "Fraud, Identity Theft",
        "09320",
        0.06,
        "daytime",
        (12, 12),
        {"residential": 1, "multifamily": 1, "commercial": 0.5},
        call="fraud",
        p_online=0.6,
        p_arrest=0.02,
    ),
    CrimeType(
        "weapons",
        "Weapons Offense",
        "Weapons Offense",
        "Firearm, Possession By Prohibited Person",
        "12025",
        0.01,
        "weekend_night",
        land_use=dict(_OUT),
        call="weapon",
        p_arrest=0.9,
    ),
    CrimeType(
        "warrant",
        "Warrant",
        "Warrant",
        "Warrant Arrest, Local SF Warrant",
        "62050",
        0.03,
        "flat",
        land_use={"residential": 0.5, "multifamily": 1, "commercial": 1.5},
        call="warrant",
        p_arrest=1.0,
    ),
    CrimeType(
        "trespass",
        "Other Miscellaneous",
        "Other",
        "Trespassing",
        "27195",
        0.03,
        "flat",
        land_use={"commercial": 1.5, "mall": 1, "school": 1, "residential": 0.3, "multifamily": 1},
        facilities={"convenience_store": 0.2, "big_box_store": 0.15, "motel": 0.1},
        call="trespass",
        p_arrest=0.4,
    ),
)
