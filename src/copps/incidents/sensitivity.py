"""Is this event one whose victim must never be identifiable in public output?

One signal is never enough: a category can be mislabelled at entry. An event is
sensitive when any of these says so:

1. its taxonomy category is sensitive (sex offences, domestic violence, offences
   against children, runaways, human trafficking, prostitution, domestic-dispute calls);
2. a source flag the profile names (e.g. Chicago's ``Domestic`` column is ``true``);
3. its own text (offence, description) reads as sensitive (:func:`text_reason`);
4. a victim age under 18 where the source gives one in a column of its own.

What the text rule reads
------------------------
The vocabulary is built from published code lists, not from one city's wording:
the NIBRS offence codes and their definitions (sex offences 11A-11D, incest and
statutory rape 36A/36B, prostitution 40A-40C, human trafficking 64A/64B, family
offences 90F, runaway 90I), the crime-code descriptions of large agencies (LAPD's
"INTIMATE PARTNER - SIMPLE ASSAULT", "CRM AGNST CHLD (13 OR UNDER)", Chicago's
"AGG CRIM SEX ABUSE", NYPD's "ENDAN WELFARE INCOMP"), California penal code sections
(261, 273.5, 288, 647.6, ...; a bare number counts only when it is the whole value
or is written as a section, "PC 288" / "288(A)" / "273.5", so "288 ELM ST" does not),
the abbreviations police write (DV, D/V, DOM VIOL, IPV, CHLD, JUV, FAM MBR, DVRO,
EPO) and Spanish (violencia doméstica/familiar, abuso/agresión sexual, violación,
menor, trata de personas). Words match as stems, not whole words: ``SEX`` covers
sexual, sexually, sextortion, sexting; ``MOLEST`` covers molestation.

Ages are read from the text: "victim age 15", "age: 12", "15 y/o", "15-year-old",
"13 or under", "17YRS & UNDER", "under the age of 16", "15 años". Any age under 18
(18 for the "or under" forms) makes the event sensitive.

Ambiguous text is suppressed
----------------------------
When the row's own words cannot rule out a sensitive reading, the event is treated as
sensitive (:data:`AMBIGUOUS`). "Ambiguous" means one of:

* an offence against a person (assault, battery, threats, harassment, kidnapping,
  disturbance, neglect, ...) whose text names a relationship between the people
  (family or household member, partner, ex-, acquaintance, caregiver, son, mother, ...);
* "trafficking" with no drug, weapon or property object named;
* a violated court order of unnamed kind (most are protective orders);
* a missing person, abduction by a relative or custody dispute.

A few common non-sensitive phrases that share a stem are carved out explicitly (minor
injury or damage, child safety seat, domestic animal, drug or animal abuse, runaway
vehicle, baby formula); :data:`EXCEPTIONS` lists them. The test corpora
(``tests/incidents/data/``) measure both sides: every sensitive description is caught,
and the false-suppression rate on ordinary offences is bounded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["SENSITIVE_WORDS", "AMBIGUOUS", "EXCEPTIONS", "text_is_sensitive", "text_reason", "normalise"]


def _rx(*parts: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


# Phrases that share a stem with the vocabulary but name nothing sensitive. They are blanked
# out before the vocabulary is read, so "MINOR INJURY ... CHILD ABUSE" is still caught.
EXCEPTIONS = _rx(
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

# The vocabulary: each alternative marks a sensitive offence by itself.
SENSITIVE_WORDS = _rx(
    # sexual offences (NIBRS 11A-11D, 36A/36B, 370; state statute wording)
    r"\bRAP(?:E|ED|ES|ING|IST|ISTS)\b",
    r"\bSEX(?:UAL\w*|TORT\w*|TING|T|ED|ES)?\b",
    r"\bS(?:X|XL|XUAL)\b",
    r"\bSODOM\w*",
    r"\bLEWD\w*",
    r"\bLASCIV\w*",
    r"\bINDECEN\w*",
    r"\bMOLEST\w*",
    r"\bFONDL\w*",
    r"\bGROP\w*",
    r"\bINCEST\w*",
    r"\bCARNAL\w*",
    r"\bCOPULAT\w*|\bORAL\s+COP\w*",
    r"\bPENETRAT\w*",
    r"\bSTATUTORY\b",
    r"\bINTERCOURSE\b",
    r"\bPEEP(?:ING|ER|ERS)?\b",
    r"\bVOYEUR\w*",
    r"\bUPSKIRT\w*",
    r"\bEXHIBI(?:TIONIS|CIONIS)\w*",
    r"\bEXPOS\w*\s+(?:HIM|HER|THEM)SELF\b",
    r"\bFLASHER\b",
    r"\bNUD(?:E|ITY)\b|\bNAKED\b",
    r"\bPORN\w*",
    r"\bOBSCEN\w*",
    r"\bBEA?STIALITY\b|\bCRIMES?\s+AGAINST\s+NATURE\b",
    r"\bPREDATOR\w*",
    r"\bNON[-\s]?CONSENSUAL\b",
    r"\bINTIMATE\b",
    r"\b(?:UNWANTED|INAPPROPRIATE(?:LY)?|UNLAWFUL|FORCIBLE)\s+(?:TOUCH\w*|CONTACT)\b",
    r"\bCSC\b",  # Michigan: criminal sexual conduct
    # prostitution and trafficking (NIBRS 40A-40C, 64A/64B)
    r"\bPROSTITU\w*",
    r"\bPIMP\w*",
    r"\bPANDER\w*",
    r"\bHUMAN\s+TRAFFIC\w*",
    r"\bTRAFFICK\w*\s+(?:IN\s+|OF\s+)?(?:PERSONS?|PEOPLE|HUMANS?|WOMEN|CHILD\w*|MINORS?|LABOU?R)\b",
    r"\bLABOU?R\s+TRAFFICK\w*",
    r"\b(?:INVOLUNTARY\s+)?SERVITUDE\b|\bFORCED\s+LABOU?R\b|\bPEONAGE\b|\bDEBT\s+BONDAGE\b",
    # domestic and family violence
    r"\bDOMESTIC\w*",
    r"\bDOM\b\.?",
    r"\bD\s*/\s*V\b|\bD\.\s?V\.?(?!\w)",
    r"\bDV(?:RO|PO|R|S)?\b",
    r"\bIPV\b",
    r"\bSPOUS\w*",
    r"\bCOHABIT\w*",
    r"\bDATING\s+(?:VIOLENCE|ABUSE|PARTNER|RELATIONSHIP)\b",
    r"\bFAM(?:ILY|\.)?\s+(?:VIOL\w*|OFF\w*|DISP\w*|DIST\w*|FIGHT\w*|ASS\w*|ABUSE|MEMBERS?|MBRS?|MEMB)\b",
    r"\bHOUSEHOLD\s+MEMBERS?\b",
    r"\b(?:RESTRAINING|PROTECTIVE|PROTECTION|NO[-\s]CONTACT|STAY[-\s]AWAY)\s+ORDERS?\b",
    r"\bORDERS?\s+(?:OF|FOR)\s+PROTECTION\b",
    r"\b(?:EPO|TRO|OFP)\b",
    r"\b(?:ELDER|SENIOR)\s+(?:ABUSE|NEGLECT)\b|\b(?:DEPENDENT|VULNERABLE)\s+ADULTS?\b",
    r"\b(?:EX[-\s]?)?(?:WIFE|HUSBAND|GIRLFRIEND|BOYFRIEND|FIANCEE?|SPOUSE)S?\b|\bSIGNIFICANT\s+OTHER\b",
    r"\bEX[-\s](?:PARTNER|LOVER|GF|BF)\b|\bBABY\s+(?:MAMA|MOMMA|MOTHER|DADDY|FATHER)\b",
    r"\bSTRANG(?:L|UL)\w*|\bSUFFOCAT\w*",
    r"\bABUS(?:E|ED|ES|ING|IVE)\b",
    r"\bSTALK\w*",
    r"\bMALTRAT\w*|\bINTRAFAMILIAR\b|\bVIOLENCIA\s+(?:FAMILIAR|DE\s+GENERO|CONTRA\s+LA\s+MUJER)\b",
    r"\b(?:ESPOS[OA]S?|PAREJA|EXPAREJA|NOVI[OA]|CONYUGE|CONCUBIN\w*)\b",
    # children and juveniles
    r"\bCHI?LDR?\w*",
    r"\bCHLD\w*",
    r"\bJUV\w*",
    r"\bMINORS?\b",
    r"\bUNDER\s*-?\s*AGE\b",
    r"\bKIDS?\b",
    r"\bINFANT\w*",
    r"\bBAB(?:Y|IES)\b",
    r"\bTODDLER\w*",
    r"\bTEEN(?:S|AGE|AGER|AGERS)?\b",
    r"\bADOLESCEN\w*",
    r"\bPA?EDOPH\w*",
    r"\bRUN\s*AWAYS?\b|\bRUNAWAY\w*",
    r"\bTRUAN\w*",
    r"\bCURFEW\b",
    r"\bAMBER\s+ALERT\b",
    r"\bDELINQUEN\w*|\bCONTRIBUTING\b",
    r"\b(?:DID\s+NOT|DIDN'?T|FAILED\s+TO|NEVER)\s+(?:RETURN|COME|CAME)\w*\s+(?:BACK\s+)?HOME\b",
    r"\bCUSTOD(?:Y|IAL)\s+(?:INTERFERENCE|DISPUTE|ISSUE|ORDER|VIOLATION|EXCHANGE)\b",
    r"\bENDAN\w*\s+(?:THE\s+)?WELF\w*",
    r"\bNI(?:NO|NOS|NAS)\b|\bMENOR(?:ES)?\b|\bINFANTIL\b|\bESTUPRO\b",
    r"\bMISSING\s+(?:PERSON|PERS|JUV\w*|CHILD\w*|MINOR|TEEN\w*|ADULT|RUNAWAY)\w*",
    # Spanish sexual offences ("violación" is rape; "violación de domicilio" is trespass)
    r"\bVIOLACION(?!\s+DE\s+(?:DOMICILIO|MORADA|PROPIEDAD|LA\s+LEY|SELLOS|CORRESPONDENCIA|TRANSITO))\b",
    r"\bTOCAMIENTOS?\b|\bMANOSEO\b|\bPROXENET\w*|\bLENOCINIO\b|\bTRATA\s+DE\s+(?:PERSONAS|BLANCAS|MENORES)\b",
    # penal code sections written as sections (a subsection, a decimal, or PC beside them)
    r"\b(?:261\.5|264\.1|273\.5|273\.6|236\.1|243\.4|288\.\d+|311\.\d+|646\.9|647\.6|653\.22|278\.5)\b",
    r"\b(?:261|262|266[A-K]?|273\s*[AD]|273AB|243\s*\(E\)|285|286|287|288[AB]?|289|311|314|647\s*\([ABJ]\)|166\s*\(C\))"
    r"\s*(?:\(\s*\w+\s*\))*\s*(?:PC\b|P\.C\.|PENAL\b)",
    r"(?:\bPC\b|\bP\.C\.|\bPENAL\s+CODE\b|\bCPC\b|§)\s*(?:261|262|266|267|269|270|272|273|278|285|286|287|288|289|290|311|"
    r"314|368|236\.1|243|646\.9|647|653\.2)",
    r"\b(?:261|273A|273D|288|288A|289|314)\s*\(\s*\w+\s*\)",
    r"\b300\s*W\.?\s*I\.?\s*C?\b",
    r"\b(?:NIBRS|UCR|CODE|OFFEN[CS]E)\s*[:#]?\s*(?:11[A-D]|36[AB]|40[A-C]|64[AB]|90F|90I)\b",
)

# A whole value (between the separators of a joined row) that is only a sensitive code.
_SOLE_CODE = re.compile(
    r"(?:^|\|)\s*(?:11[A-D]|36[AB]|40[A-C]|64[AB]|90F|90I|261(?:\.5)?|273\.?5|273\s*[AD]|286|287|288(?:\.\d)?[AB]?|"
    r"289|314|647\.6|646\.9)\s*(?:-[^|]*)?(?:$|\|)",
    re.IGNORECASE,
)

# The ambiguity rule: an offence against a person, with a relationship named.
_PERSON_OFFENCE = _rx(
    r"\bA(?:SSA?U?LT|SLT|SSLT)\w*",
    r"\bBATT(?:ER\w*)?\b",
    r"\bTHREAT\w*|\bMENAC\w*|\bHARASS\w*|\bINTIMIDAT\w*",
    r"\bKIDNAP\w*|\bABDUCT\w*|\bFALSE\s+IMPRISON\w*|\bCONFIN\w*",
    r"\bDISTURB\w*|\bDISPUTE\w*|\bFIGHT\w*|\bARGUMENT\w*|\bALTERCATION\w*",
    r"\bHIT\b|\bPUNCH\w*|\bKICK\w*|\bSLAP\w*|\bPUSH\w*|\bSHOV\w*|\bCHOK\w*|\bBIT(?:E|TEN)?\b|\bBEAT\w*",
    r"\bINJUR\w*|\bCRUEL\w*|\bNEGLECT\w*|\bENDANGER\w*|\bABUS\w*|\bWELFARE\b|\bMISSING\b",
    r"\bTOUCH\w*|\bFOLLOW\w*|\bVICT?(?:IM)?S?\b",
    r"\bAGRESION\w*|\bLESION\w*|\bAMENAZ\w*|\bGOLPE\w*|\bSECUESTR\w*",
)
_RELATION = _rx(
    r"\bACQUAINT\w*|\bRELATIVES?\b|\bFAMILY\s+MEMBER|\bPARTNERS?\b|\bEX\b|\bFORMER\b",
    r"\b(?:STEP|GRAND)?(?:MOTHER|FATHER|MOM|DAD|PARENT|SON|DAUGHTER|CHILD)S?\b|\bPARENTAL\b|\bMOMS?\b|\bDADS?\b",
    r"\b(?:STEP|HALF)?(?:BROTHER|SISTER|SIBLING)S?\b|\b(?:UNCLE|AUNT|COUSIN|NEPHEW|NIECE)S?\b|\bIN[-\s]LAWS?\b",
    r"\bROOM\s*MATES?\b|\bCARE\s*(?:GIVER|TAKER)S?\b|\bBABY\s*SITTER\w*|\bNANN(?:Y|IES)\b|\bGUARDIAN\w*|\bFOSTER\b",
    r"\bKNOWN\s+(?:TO\s+)?(?:THE\s+)?(?:VICTIM|VIC|SUSPECT|EACH\s+OTHER)\b|\bLIVES?\s+WITH\b|\bLIVE[-\s]IN\b",
    r"\b(?:MADRE|PADRE|HIJ[OA]S?|HERMAN[OA]S?|PARIENTES?|FAMILIAR(?:ES)?|SUEGR[OA])\b",
)
_TRAFFICKING = re.compile(r"\bTRAFFICK\w*", re.IGNORECASE)
_TRAFFICKED_THING = re.compile(
    r"\b(?:DRUGS?|NARC\w*|COCAINE|CRACK|HEROIN|FENTANYL|METH\w*|MARIJUANA|CANNABIS|OPIOID\w*|CONTROLLED|"
    r"SUBSTANCES?|CDS|FIREARMS?|GUNS?|WEAPONS?|ARMS|STOLEN|PROPERTY|GOODS|CIGARETTES?|TOBACCO|COUNTERFEIT|WILDLIFE)\b",
    re.IGNORECASE,
)
_COURT_ORDER = re.compile(r"\b(?:VIOL\w*|BREACH\w*|CONTEMPT)\s+(?:OF\s+)?(?:A\s+|THE\s+)?COURT\s+ORDERS?\b", re.I)

AMBIGUOUS = (
    "an offence against a person naming a relationship; trafficking of no named goods; "
    "a violated court order of unnamed kind"
)

# Ages written in text. Each pattern captures the age; the "or under" forms count up to 18.
_AGE_UNDER_18 = re.compile(
    r"\bAGE[DS]?\s*(?:OF\s*)?[:=#]?\s*(\d{1,2})\b(?!\s*(?:OR|&|AND|\+)\s*(?:OVER|OLDER|ABOVE|UP))"
    r"|(?<!\bIN )(?<!WITHIN )(?<!LAST )(?<!PAST )(?<!\bFOR )(?<!AFTER )(?<!EVERY )"
    r"\b(\d{1,2})\s*-?\s*(?:YEARS?|YRS?|Y\s*/\s*O|Y\.O\.?|YOA?|ANOS)\b(?!\s*(?:AGO|PRIOR|EARLIER|LATER|OLDER|YOUNGER|"
    r"SENTENCE|PROBATION|IN\s+PRISON|OF\s+(?:SERVICE|EXPERIENCE)|AND\s+OVER|OR\s+OLDER|&\s+OVER))"
    r"|\bVICT?(?:IM)?S?\s*(?:IS|WAS|,|:|-)?\s*(?:A\s+)?(\d{1,2})\s*(?:YO|Y/O|YRS?|YEARS?|M|F)\b",
    re.IGNORECASE,
)
_AGE_OR_UNDER = re.compile(
    r"\b(\d{1,2})\s*(?:YRS?|YEARS?)?\s*(?:OR|&|AND)\s*(?:UNDER|YOUNGER|BELOW|LESS)\b"
    r"|\bUNDER\s+(?:THE\s+)?AGE\s+(?:OF\s+)?(\d{1,2})\b|\b(?:MENOR(?:ES)?\s+DE|UNDER)\s+(\d{1,2})\s*(?:YRS?|YEARS?|ANOS)\b",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Upper case, accents dropped (doméstica -> DOMESTICA), underscores as spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("_", " ").upper()


def _young(pattern: re.Pattern, text: str, limit: int) -> bool:
    for m in pattern.finditer(text):
        age = next((g for g in m.groups() if g), None)
        if age is not None and int(age) <= limit:
            return True
    return False


@lru_cache(maxsize=65536)
def text_reason(text: str) -> str:
    """Why ``text`` (one value, or several joined by `` | ``) marks a sensitive offence, or ``""``."""
    if not text:
        return ""
    norm = normalise(text)
    if _SOLE_CODE.search(norm):
        return "code"
    plain = EXCEPTIONS.sub(" ", norm)
    m = SENSITIVE_WORDS.search(plain)
    if m:
        return f"word: {m.group(0).strip()}"
    if _young(_AGE_UNDER_18, plain, 17) or _young(_AGE_OR_UNDER, plain, 18):
        return "age"
    if _PERSON_OFFENCE.search(plain) and _RELATION.search(plain):
        return "ambiguous: relationship"
    if _TRAFFICKING.search(plain) and not _TRAFFICKED_THING.search(plain):
        return "ambiguous: trafficking"
    if _COURT_ORDER.search(plain):
        return "ambiguous: court order"
    return ""


def text_is_sensitive(*texts: str) -> bool:
    """True when any text marks a sensitive offence (see the module docstring)."""
    return any(t and text_reason(t) for t in texts)
