"""Structured data from plain text: a requirement drafted from a job description, skills (with
years) from a CV. Rule-based, over the skill taxonomy; every extracted value keeps the span of
text it came from."""

from matcher.drafting.cv import CvSkill, CvSkills, skills_from_cv
from matcher.drafting.fields import Extracted, Span
from matcher.drafting.jd import RequirementDraft, draft_requirement
from matcher.drafting.phrases import Mention, find_skills

__all__ = [
    "CvSkill",
    "CvSkills",
    "Extracted",
    "Mention",
    "RequirementDraft",
    "Span",
    "draft_requirement",
    "find_skills",
    "skills_from_cv",
]
