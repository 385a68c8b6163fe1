"""The API's request bodies: the services' input models with JSON's own types enforced.

A JSON body that says ``"hourly_rate": "70"`` or ``"start_by": 0`` is refused (``JsonTypes``)
rather than coerced. The web UI validates the services' models directly: its form fields are
all text, which the lax models read as numbers and dates on purpose.
"""

from __future__ import annotations

from matcher.json_types import JsonTypes
from matcher.services.candidates.service import CandidateBody, CandidatePatch
from matcher.services.requirements.service import RequirementBody
from matcher.services.weight_profiles.service import PreviewRequest, ProfileVersion


class CandidatePayload(CandidateBody, JsonTypes):
    """A candidate in the import format."""


class CandidatePatchPayload(CandidatePatch, JsonTypes):
    """Fields to change, in the import format; a field left out keeps its value. Nested objects
    (``vetting``, ``education``) and lists (``skills``, ``languages``) are replaced as a whole;
    the merged record is validated as a full candidate."""


class RequirementPayload(RequirementBody, JsonTypes):
    """A requirement in the import format. With a client key ``client`` may be left out (it is
    filled from the key); if given it must be the key's own account."""


class ProfileVersionPayload(ProfileVersion, JsonTypes):
    """The next version of weight profile ``name`` (version 1 of a new name); weights are
    relative, each > 0, and a key left out weighs 0."""


class PreviewPayload(PreviewRequest, JsonTypes):
    """Draft weights to rank one requirement with, without saving them."""
