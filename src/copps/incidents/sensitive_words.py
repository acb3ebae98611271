"""The words of sensitive offences, as data: what :mod:`copps.incidents.sensitivity` reads.

Each list holds ``(trigger, pattern)`` pairs (written ``"TRIGGER pattern"``): the pattern is
tried at the start of every word that begins with the trigger (see
:class:`copps.incidents.sensitivity.Lexicon`). Texts are upper case and without accents when
they are read. Sources: the NIBRS offence codes and definitions (FBI, NIBRS User Manual),
large agencies' crime-code descriptions (LAPD, Chicago, NYPD, Seattle, San Francisco,
Sacramento), California penal code sections, police abbreviations and Spanish.
"""

from __future__ import annotations

import re

__all__ = [
    "EXCEPTIONS",
    "VOCABULARY",
    "SOLE_CODE",
    "PERSON_OFFENCE",
    "RELATION",
    "TRAFFICKING",
    "TRAFFICKED_THING",
    "COURT_ORDER",
    "AGES_UNDER_18",
    "AGES_OR_UNDER",
]


def _entries(*items: str) -> tuple[tuple[str, str], ...]:
    """``"TRIGGER pattern"`` strings as (trigger, pattern) pairs; the pattern is the whole
    string after the first space and must begin with the trigger."""
    return tuple((item.split(" ", 1)[0], item.split(" ", 1)[1]) for item in items)


# Phrases that share a stem with the vocabulary but name nothing sensitive. They are blanked
# out before the vocabulary is read again, so "MINOR INJURY ... CHILD ABUSE" is still caught.
EXCEPTIONS = re.compile(
    "|".join(
        f"(?:{p})"
        for p in (
            r"\bMINOR\s*[-,/(]?\s*(?:INJUR\w*|DAMAGE\w*|COLLISION|ACCIDENT|CRASH|FENDER|DENT|SCRATCH\w*|PROPERTY|"
            r"TRAFFIC|INFRACTION|VIOLATION|OFFEN[CS]E|REPAIR\w*|FLOOD\w*|FIRE|BLEEDING|CUTS?|LACERATION\w*|PAIN)\b",
            r"\b(?:INJUR\w*|DAMAGE\w*|INJ\.?)\s*[-,/(:]?\s*MINOR\b",
            r"\bCHILD\s+(?:SAFETY\s+|CAR\s+|PASSENGER\s+)?(?:SEAT|RESTRAINT)S?\b",
            r"\bDOMESTIC\s+(?:ANIMAL|PET|DOG|CAT|LIVESTOCK|FLIGHT|TERROR\w*|CORP\w*|PRODUCT\w*|WATER)S?\b",
            r"\b(?:DRUG|NARCOTIC|ALCOHOL|SUBSTANCE|ANIMAL|DOG|911|9-1-1|E911)\s+ABUSE\b",
            r"\bABUSE\s+OF\s+(?:911|9-1-1|E911|PROCESS|DISCRETION|AUTHORITY|ANIMALS?)\b",
            r"\bRUNAWAY\s+(?:VEHICLE|CAR|TRUCK|TRAILER|BOAT|SHOPPING\s+CART|CART)\b",
            r"\bBABY\s+(?:FORMULA|STROLLER|CLOTHES|CLOTHING|ITEMS|MONITOR|FOOD|SUPPLIES|PRODUCTS|WIPES|POWDER|OIL|GATE)\b",
        )
    )
)

_CODES_WITH_CONTEXT = (
    r"(?:261|262|266|267|269|270|272|273|278|285|286|287|288|289|290|311|314|368|236\.1|243|646\.9|647|653\.2)"
)

# The vocabulary: each entry marks a sensitive offence by itself.
VOCABULARY = _entries(
    # sexual offences (NIBRS 11A-11D, 36A/36B, 370; state statute wording)
    r"RAP RAP(?:E|ED|ES|ING|IST|ISTS)\b",
    r"SEX SEX(?:UAL\w*|TORT\w*|TING|T|ED|ES)?\b",
    r"SX SX(?:L|UAL)?\b",
    r"SOD SODOM\w*",
    r"LEW LEWD\w*",
    r"LAS LASCIV\w*",
    r"IND INDECEN\w*",
    r"MOL MOLEST\w*",
    r"FON FONDL\w*",
    r"GRO GROP\w*",
    r"INC INCEST\w*",
    r"CAR CARNAL\w*",
    r"COP COPULAT\w*",
    r"ORAL ORAL\s+COP\w*",
    r"PEN PENETRAT\w*",
    r"STA STATUTORY\b",
    r"STA STALK\w*",
    r"INT INTERCOURSE\b",
    r"INT INTIMATE\b",
    r"PEE PEEP(?:ING|ER|ERS)?\b",
    r"VOY VOYEUR\w*",
    r"UPS UPSKIRT\w*",
    r"EXH EXHIBI(?:TIONIS|CIONIS)\w*",
    r"EXP EXPOS\w*\s+(?:HIM|HER|THEM)SELF\b",
    r"FLA FLASHER\b",
    r"NUD NUD(?:E|ITY)\b",
    r"NAK NAKED\b",
    r"POR PORN\w*",
    r"OBS OBSCEN\w*",
    r"BEA BEASTIALITY\b",
    r"BES BESTIALITY\b",
    r"CRIME CRIMES?\s+AGAINST\s+NATURE\b",
    r"PRE PREDATOR\w*",
    r"NON NON[-\s]?CONSENSUAL\b",
    r"UNW UNWANTED\s+(?:TOUCH\w*|CONTACT)\b",
    r"INA INAPPROPRIATE(?:LY)?\s+(?:TOUCH\w*|CONTACT)\b",
    r"UNL UNLAWFUL\s+(?:TOUCH\w*|CONTACT)\b",
    r"FOR FORCIBLE\s+(?:TOUCH\w*|CONTACT)\b",
    r"CSC CSC\b",  # Michigan: criminal sexual conduct
    # prostitution and trafficking (NIBRS 40A-40C, 64A/64B)
    r"PRO PROSTITU\w*",
    r"PIM PIMP\w*",
    r"PAN PANDER\w*",
    r"HUM HUMAN\s+TRAFFIC\w*",
    r"TRA TRAFFICK\w*\s+(?:IN\s+|OF\s+)?(?:PERSONS?|PEOPLE|HUMANS?|WOMEN|CHILD\w*|MINORS?|LABOU?R)\b",
    r"LAB LABOU?R\s+TRAFFICK\w*",
    r"INV INVOLUNTARY\s+SERVITUDE\b",
    r"SER SERVITUDE\b",
    r"FOR FORCED\s+LABOU?R\b",
    r"PEO PEONAGE\b",
    r"DEB DEBT\s+BONDAGE\b",
    # domestic and family violence
    r"DOM DOMESTIC\w*",
    r"DOM DOM\b\.?",
    r"D D\s*/\s*V\b",
    r"D D\.\s?V\.?(?!\w)",
    r"DV DV(?:RO|PO|R|S)?\b",
    r"IPV IPV\b",
    r"SPO SPOUS\w*",
    r"COH COHABIT\w*",
    r"DAT DATING\s+(?:VIOLENCE|ABUSE|PARTNER|RELATIONSHIP)\b",
    r"FAM FAM(?:ILY|\.)?\s+(?:VIOL\w*|OFF\w*|DISP\w*|DIST\w*|FIGHT\w*|ASS\w*|ABUSE|MEMBERS?|MBRS?|MEMB)\b",
    r"HOU HOUSEHOLD\s+MEMBERS?\b",
    r"RES RESTRAINING\s+ORDERS?\b",
    r"PRO PROTECTI(?:VE|ON)\s+ORDERS?\b",
    r"NO NO[-\s]CONTACT\s+ORDERS?\b",
    r"STA STAY[-\s]AWAY\s+ORDERS?\b",
    r"ORD ORDERS?\s+(?:OF|FOR)\s+PROTECTION\b",
    r"EPO EPO\b",
    r"TRO TRO\b",
    r"OFP OFP\b",
    r"ELD ELDER\s+(?:ABUSE|NEGLECT)\b",
    r"SEN SENIOR\s+(?:ABUSE|NEGLECT)\b",
    r"DEP DEPENDENT\s+ADULTS?\b",
    r"VUL VULNERABLE\s+ADULTS?\b",
    r"EX EX[-\s]?(?:WIFE|HUSBAND|GIRLFRIEND|BOYFRIEND|FIANCEE?|SPOUSE|PARTNER|LOVER|GF|BF)S?\b",
    r"WIF WIFES?\b|WIVES\b",
    r"HUS HUSBANDS?\b",
    r"GIR GIRLFRIENDS?\b",
    r"BOY BOYFRIENDS?\b",
    r"FIA FIANCEE?S?\b",
    r"SIG SIGNIFICANT\s+OTHER\b",
    r"BAB BABY\s+(?:MAMA|MOMMA|MOTHER|DADDY|FATHER)\b",
    r"STR STRANG(?:L|UL)\w*",
    r"SUF SUFFOCAT\w*",
    r"ABU ABUS(?:E|ED|ES|ING|IVE)\b",
    r"MAL MALTRAT\w*",
    r"INT INTRAFAMILIAR\b",
    r"VIO VIOLENCIA\s+(?:FAMILIAR|DE\s+GENERO|CONTRA\s+LA\s+MUJER)\b",
    r"ESP ESPOS[OA]S?\b",
    r"PAR PAREJA\b",
    r"EXP EXPAREJA\b",
    r"NOV NOVI[OA]S?\b",
    r"CON CONYUGE\b",
    r"CON CONCUBIN\w*",
    # children and juveniles
    r"CH CHI?LDR?\w*",
    r"JUV JUV\w*",
    r"MIN MINORS?\b",
    r"UND UNDER\s*-?\s*AGE\b",
    r"KID KIDS?\b",
    r"INF INFANT\w*",
    r"BAB BAB(?:Y|IES)\b",
    r"TOD TODDLER\w*",
    r"TEE TEEN(?:S|AGE|AGER|AGERS)?\b",
    r"ADO ADOLESCEN\w*",
    r"PED PEDOPH\w*",
    r"PAE PAEDOPH\w*",
    r"RUN RUN\s*AWAYS?\b|RUNAWAY\w*",
    r"TRU TRUAN\w*",
    r"CUR CURFEW\b",
    r"AMB AMBER\s+ALERT\b",
    r"DEL DELINQUEN\w*",
    r"CON CONTRIBUTING\b",
    r"DID DID\s+NOT\s+(?:RETURN|COME|CAME)\w*\s+(?:BACK\s+)?HOME\b",
    r"DID DIDN'?T\s+(?:RETURN|COME|CAME)\w*\s+(?:BACK\s+)?HOME\b",
    r"FAI FAILED\s+TO\s+(?:RETURN|COME)\w*\s+(?:BACK\s+)?HOME\b",
    r"NEV NEVER\s+(?:RETURN|CAME|COME)\w*\s+(?:BACK\s+)?HOME\b",
    r"CUS CUSTOD(?:Y|IAL)\s+(?:INTERFERENCE|DISPUTE|ISSUE|ORDER|VIOLATION|EXCHANGE)\b",
    r"END ENDAN\w*\s+(?:THE\s+)?WELF\w*",
    r"NIN NINOS?\b|NINAS\b",
    r"MEN MENOR(?:ES)?\b",
    r"INF INFANTIL\b",
    r"EST ESTUPRO\b",
    r"MIS MISSING\s+(?:PERSON|PERS|JUV\w*|CHILD\w*|MINOR|TEEN\w*|ADULT|RUNAWAY)\w*",
    # Spanish sexual offences ("violación" is rape; "violación de domicilio" is trespass)
    r"VIO VIOLACION(?!\s+DE\s+(?:DOMICILIO|MORADA|PROPIEDAD|LA\s+LEY|SELLOS|CORRESPONDENCIA|TRANSITO))\b",
    r"TOC TOCAMIENTOS?\b",
    r"MAN MANOSEO\b",
    r"PRO PROXENET\w*",
    r"LEN LENOCINIO\b",
    r"TRA TRATA\s+DE\s+(?:PERSONAS|BLANCAS|MENORES)\b",
    # penal code sections written as sections (a subsection, a decimal, or PC beside them)
    r"261 261\.5\b",
    r"264 264\.1\b",
    r"273 273\.[56]\b",
    r"236 236\.1\b",
    r"243 243\.4\b",
    r"288 288\.\d+\b",
    r"311 311\.\d+\b",
    r"646 646\.9\b",
    r"647 647\.6\b",
    r"653 653\.22\b",
    r"278 278\.5\b",
    *(
        rf"{code[:3]} {code}\s*(?:\(\s*\w+\s*\))*\s*(?:PC\b|P\.C\.|PENAL\b)"
        for code in (
            "261",
            "262",
            "266[A-K]?",
            r"273\s*[AD]",
            "273AB",
            r"243\s*\(E\)",
            "285",
            "286",
            "287",
            "288[AB]?",
            "289",
            "311",
            "314",
            r"647\s*\([ABJ]\)",
            r"166\s*\(C\)",
        )
    ),
    *(rf"{code[:3]} {code}\s*\(\s*\w+\s*\)" for code in ("261", "273A", "273D", "288", "289", "314")),
    r"300 300\s*W\.?\s*I\.?\s*C?\b",
    rf"PC PC\s*{_CODES_WITH_CONTEXT}",
    rf"P P\.C\.\s*{_CODES_WITH_CONTEXT}",
    rf"PENAL PENAL\s+CODE\s*{_CODES_WITH_CONTEXT}",
    rf"CPC CPC\s*{_CODES_WITH_CONTEXT}",
    rf"§ §\s*{_CODES_WITH_CONTEXT}",
    r"NIBRS NIBRS\s*[:#]?\s*(?:11[A-D]|36[AB]|40[A-C]|64[AB]|90F|90I)\b",
    r"UCR UCR\s*[:#]?\s*(?:11[A-D]|36[AB]|40[A-C]|64[AB]|90F|90I)\b",
    r"CODE CODE\s*[:#]?\s*(?:11[A-D]|36[AB]|40[A-C]|64[AB]|90F|90I)\b",
    r"OFFEN OFFEN[CS]E\s*[:#]?\s*(?:11[A-D]|36[AB]|40[A-C]|64[AB]|90F|90I)\b",
)

# A whole value (between the separators of a joined row) that is only a sensitive code.
SOLE_CODE = re.compile(
    r"(?:^|\|)\s*(?:11[A-D]|36[AB]|40[A-C]|64[AB]|90F|90I|261(?:\.5)?|273\.?5|273\s*[AD]|286|287|288(?:\.\d)?[AB]?|"
    r"289|314|647\.6|646\.9)\s*(?:-[^|]*)?(?:$|\|)"
)

# The ambiguity rule: an offence against a person, with a relationship named.
PERSON_OFFENCE = _entries(
    r"A A(?:SSA?U?LT|SLT|SSLT)\w*",
    r"BATT BATT(?:ER\w*)?\b",
    r"THR THREAT\w*",
    r"MEN MENAC\w*",
    r"HAR HARASS\w*",
    r"INT INTIMIDAT\w*",
    r"KID KIDNAP\w*",
    r"ABD ABDUCT\w*",
    r"FAL FALSE\s+IMPRISON\w*",
    r"CON CONFIN\w*",
    r"DIS DISTURB\w*|DISPUTE\w*",
    r"FIG FIGHT\w*",
    r"ARG ARGUMENT\w*",
    r"ALT ALTERCATION\w*",
    r"HIT HIT\b",
    r"PUN PUNCH\w*",
    r"KIC KICK\w*",
    r"SLA SLAP\w*",
    r"PUS PUSH\w*",
    r"SHO SHOV\w*",
    r"CHO CHOK\w*",
    r"BIT BIT(?:E|TEN)?\b",
    r"BEA BEAT\w*",
    r"INJ INJUR\w*",
    r"CRU CRUEL\w*",
    r"NEG NEGLECT\w*",
    r"END ENDANGER\w*",
    r"ABU ABUS\w*",
    r"WEL WELFARE\b",
    r"MIS MISSING\b",
    r"TOU TOUCH\w*",
    r"FOL FOLLOW\w*",
    r"VIC VICT?(?:IM)?S?\b",
    r"AGR AGRESION\w*",
    r"LES LESION\w*",
    r"AME AMENAZ\w*",
    r"GOL GOLPE\w*",
    r"SEC SECUESTR\w*",
)
RELATION = _entries(
    r"ACQ ACQUAINT\w*",
    r"REL RELATIVES?\b",
    r"FAM FAMILY\s+MEMBER",
    r"PAR PARTNERS?\b|PARENT(?:S|AL)?\b",
    r"EX EX\b",
    r"FOR FORMER\b",
    r"STEP STEP(?:MOTHER|FATHER|MOM|DAD|PARENT|SON|DAUGHTER|CHILD|BROTHER|SISTER|SIBLING)S?\b",
    r"GRAND GRAND(?:MOTHER|FATHER|MOM|DAD|PARENT|SON|DAUGHTER|CHILD)S?\b",
    r"MOT MOTHERS?\b",
    r"FAT FATHERS?\b",
    r"MOM MOMS?\b",
    r"DAD DADS?\b",
    r"SON SONS?\b",
    r"DAU DAUGHTERS?\b",
    r"CHI CHILD(?:REN)?\b",
    r"HALF HALF(?:BROTHER|SISTER|SIBLING)S?\b",
    r"BRO BROTHERS?\b",
    r"SIS SISTERS?\b",
    r"SIB SIBLINGS?\b",
    r"UNC UNCLES?\b",
    r"AUN AUNTS?\b",
    r"COU COUSINS?\b",
    r"NEP NEPHEWS?\b",
    r"NIE NIECES?\b",
    r"IN IN[-\s]LAWS?\b",
    r"ROO ROOM\s*MATES?\b",
    r"CARE CARE\s*(?:GIVER|TAKER)S?\b",
    r"BAB BABY\s*SITTER\w*",
    r"NAN NANN(?:Y|IES)\b",
    r"GUA GUARDIAN\w*",
    r"FOS FOSTER\b",
    r"KNO KNOWN\s+(?:TO\s+)?(?:THE\s+)?(?:VICTIM|VIC|SUSPECT|EACH\s+OTHER)\b",
    r"LIV LIVES?\s+WITH\b|LIVE[-\s]IN\b",
    r"MAD MADRE\b",
    r"PAD PADRE\b",
    r"HIJ HIJ[OA]S?\b",
    r"HER HERMAN[OA]S?\b",
    r"PAR PARIENTES?\b",
    r"FAM FAMILIAR(?:ES)?\b",
    r"SUE SUEGR[OA]\b",
)
TRAFFICKING = _entries(r"TRAFFICK TRAFFICK\w*")
TRAFFICKED_THING = _entries(
    *(
        f"{w[:3]} {w}\\b"
        for w in (
            "DRUGS?",
            "NARC\\w*",
            "COCAINE",
            "CRACK",
            "HEROIN",
            "FENTANYL",
            "METH\\w*",
            "MARIJUANA",
            "CANNABIS",
            "OPIOID\\w*",
            "CONTROLLED",
            "SUBSTANCES?",
            "CDS",
            "FIREARMS?",
            "GUNS?",
            "WEAPONS?",
            "ARMS",
            "STOLEN",
            "PROPERTY",
            "GOODS",
            "CIGARETTES?",
            "TOBACCO",
            "COUNTERFEIT",
            "WILDLIFE",
        )
    )
)
COURT_ORDER = _entries(
    r"VIOL VIOL\w*\s+(?:OF\s+)?(?:A\s+|THE\s+)?COURT\s+ORDERS?\b",
    r"BREACH BREACH\w*\s+(?:OF\s+)?(?:A\s+|THE\s+)?COURT\s+ORDERS?\b",
    r"CONTEMPT CONTEMPT\s+(?:OF\s+)?(?:A\s+|THE\s+)?COURT\s+ORDERS?\b",
)


# Ages written in text: each pattern captures the age. Under 18, or up to 18 in the "or under"
# forms ("13 OR UNDER", "UNDER THE AGE OF 16").
_NOT_AN_AGE_AFTER = (
    r"(?!\s*(?:AGO|PRIOR|EARLIER|LATER|OLDER|YOUNGER|SENTENCE|PROBATION|IN\s+PRISON|OF\s+(?:SERVICE|EXPERIENCE)|"
    r"AND\s+OVER|OR\s+OLDER|&\s+OVER))"
)
_NOT_AN_AGE_BEFORE = r"(?<!\bIN )(?<!WITHIN )(?<!LAST )(?<!PAST )(?<!\bFOR )(?<!AFTER )(?<!EVERY )"
AGES_UNDER_18 = _entries(
    r"AGE AGE[DS]?\s*(?:OF\s*)?[:=#]?\s*(\d{1,2})\b(?!\s*(?:OR|&|AND|\+)\s*(?:OVER|OLDER|ABOVE|UP))",
    *(
        rf"{d} {_NOT_AN_AGE_BEFORE}(\d{{1,2}})\s*-?\s*(?:YEARS?|YRS?|Y\s*/\s*O|Y\.O\.?|YOA?|ANOS)\b"
        rf"{_NOT_AN_AGE_AFTER}"
        for d in "0123456789"
    ),
    r"VIC VICT?(?:IM)?S?\s*(?:IS|WAS|,|:|-)?\s*(?:A\s+)?(\d{1,2})\s*(?:YO|Y/O|YRS?|YEARS?|M|F)\b",
)
AGES_OR_UNDER = _entries(
    *(rf"{d} (\d{{1,2}})\s*(?:YRS?|YEARS?)?\s*(?:OR|&|AND)\s*(?:UNDER|YOUNGER|BELOW|LESS)\b" for d in "0123456789"),
    r"UNDER UNDER\s+(?:THE\s+)?AGE\s+(?:OF\s+)?(\d{1,2})\b",
    r"UNDER UNDER\s+(\d{1,2})\s*(?:YRS?|YEARS?|ANOS)\b",
    r"MENOR MENOR(?:ES)?\s+DE\s+(\d{1,2})\s*(?:ANOS)?\b",
)
