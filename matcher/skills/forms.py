"""The forms of a free-text skill name that the resolver looks up: the name split into the parts
of a combined entry, reduced forms (without a parenthesis, a trailing version, filler words, with
separators read as spaces), and the form fuzzy matching compares. Pure text, no taxonomy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_VERSION = r"v?\d+(?:\.(?:\d+|x))*\+?"
_TRAILING_VERSION = re.compile(
    rf"^(?P<base>.*?[^\W\d_]|.*?\+\+|.*?#)[\s_-]*(?:version\s*)?{_VERSION}"
    rf"(?:\s*[/,&]\s*{_VERSION})*(?:\s*(?:lts|\.x|and above|and later|or later|or higher|or above))?$"
)
PARENTHESIS = re.compile(r"\s*[(\[](?P<inner>[^()\[\]]*)[)\]]\s*")
_FILLER_PREFIX = re.compile(
    r"^(?:(?:advanced|basic|basics of|expert|expert in|strong|solid|good|proficient in|"
    r"proficiency in|experience with|experience in|knowledge of|familiarity with|hands on|"
    r"hands-on|working knowledge of|modern)\s+)+"
)
_VENDOR_PREFIX = re.compile(
    r"^(?:(?:apache|amazon|aws|microsoft|ms|google|gcp|hashicorp|windows|oracle|jetbrains|the)\s+)+"
)
_FILLER_SUFFIX = re.compile(
    r"(?:\s+(?:programming|programming language|language|lang|framework|web framework|library|"
    r"lib|development|developer|dev|engineering|engineer|database|db|server|experience|skills?|"
    r"knowledge|basics|fundamentals|ecosystem|platform|stack|sdk|apis?|toolkit|scripting|js|ci|"
    r"specification|spec|orm|runtime|engine|software|project|tool|tools|cli))+$"
)
_SPACES = re.compile(r"\s+")
_PARTS = re.compile(r"\s*(?:[/|,;&]|\s\+\s|\sand\s)\s*")
#: Separators read as spaces in reduced forms; a dot only between letters ("vue.js", not "3.11").
_SEPARATORS = re.compile(r"[_-]+|(?<=[^\W\d_])\.(?=[^\W\d_])")
#: Filler glued to the end of one word ("kotlinlang", "feathersjs", "mysqldb").
_GLUED_SUFFIX = re.compile(r"^(?P<base>[^\W_]{2,}?)(?:lang|js|db)$")


def split_parts(text: str) -> list[str]:
    """The parts of a combined entry: "A/B", "A, B", "A & B", "A + B", "A and B", "A (B, C)"."""
    parts: list[str] = []
    outer = PARENTHESIS.sub(" ", text).strip()
    for piece in (outer, *(m.group("inner") for m in PARENTHESIS.finditer(text))):
        parts.extend(p.strip() for p in _PARTS.split(piece) if p.strip())
    return list(dict.fromkeys(parts))


def _strip_version(text: str) -> str:
    match = _TRAILING_VERSION.match(text)
    return match.group("base").strip() if match else text


def _strip_fillers(text: str, *, vendors: bool) -> str:
    text = _FILLER_SUFFIX.sub("", _FILLER_PREFIX.sub("", text))
    if vendors:
        text = _VENDOR_PREFIX.sub("", text)
    return text.strip()


def reduced_forms(text: str) -> Iterator[str]:
    """The name, then reduced forms of it, most faithful first (the order documented in
    ``matcher.skills.resolver``)."""
    bases = [text]
    spaced = _SPACES.sub(" ", _SEPARATORS.sub(" ", text)).strip()
    if spaced != text:
        bases.append(spaced)
    glued = _GLUED_SUFFIX.match(text)
    if glued:
        bases.append(glued.group("base"))
    if PARENTHESIS.search(text):
        outer = PARENTHESIS.sub(" ", text).strip()
        inner = [m.group("inner").strip() for m in PARENTHESIS.finditer(text)]
        # "Kafka (Apache)": the outer name; "AWS (EC2, S3)" is a combined entry, not AWS alone.
        bases.append(outer)
        bases.extend(i for i in inner if not _PARTS.search(i))
    seen: set[str] = set()
    for base in bases:
        for form in (
            base,
            _strip_version(base),
            _strip_fillers(base, vendors=True),
            _strip_version(_strip_fillers(base, vendors=True)),
            _strip_fillers(_strip_version(base), vendors=True),
        ):
            if form and form not in seen:
                seen.add(form)
                yield form


def fuzzy_form(text: str) -> str:
    """What fuzzy matching compares: the name without parentheses, filler words and version.
    Vendor prefixes stay: they are part of many display names ("Apache Kafka")."""
    outer = PARENTHESIS.sub(" ", text).strip() or text
    outer = _SPACES.sub(" ", _SEPARATORS.sub(" ", outer)).strip()
    return _strip_version(_strip_fillers(outer, vendors=False))
