"""The shipped taxonomy file, its validation, and the credit between skills."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from matcher.skills import InvalidTaxonomy, Skill, Taxonomy, default_resolver, load_taxonomy
from matcher.skills.taxonomy import DEFAULT_PATH


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def test_shipped_file_is_valid_and_large(taxonomy: Taxonomy) -> None:
    assert len(taxonomy.skills) >= 400
    assert taxonomy.version
    assert "general" in taxonomy.attribution
    raw = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert raw["version"] == taxonomy.version
    assert len(raw["skills"]) == len(taxonomy.skills)


def test_covers_backend_frontend_data_cloud_and_devops(taxonomy: Taxonomy) -> None:
    counts = Counter(s.category for s in taxonomy.skills.values())
    for category in (
        "language",
        "framework",
        "database",
        "queue",
        "cloud",
        "devops",
        "frontend",
        "data",
        "testing",
        "practice",
    ):
        assert counts[category] >= 10, category
    assert set(counts) <= set(taxonomy.categories)


@pytest.mark.parametrize(
    "name",
    [
        "Python",
        "Ruby",
        "PHP",
        ".NET",
        "Java",
        "JavaScript",
        "Node.js",
        "HTML5",
        "CSS3",
        "jQuery",
        "PostgreSQL",
        "MySQL",
        "SQL Server",
        "Oracle",
        "MongoDB",
        "Redis",
        "Cassandra",
        "DynamoDB",
        "RabbitMQ",
        "Kafka",
        "Amazon SQS",
        "AWS",
        "Azure",
        "GCP",
        "Docker",
        "Kubernetes",
        "Django",
        "Flask",
        "Rails",
        "Laravel",
        "Symfony",
        "ASP.NET Core",
        "Spring Boot",
        "Express",
        "TypeScript",
        "Go",
        "C#",
    ],
)
def test_staffing_staples_are_canonical_skills(name: str) -> None:
    assert default_resolver().resolve(name).method in ("exact", "alias")


def test_ids_are_slugs_and_names_resolve_to_themselves(taxonomy: Taxonomy) -> None:
    resolver = default_resolver()
    names = [s.name for s in taxonomy.skills.values()]
    for skill, res in zip(taxonomy.skills.values(), resolver.resolve_many(names), strict=True):
        assert (res.canonical, res.method) == (skill.id, "exact")
    aliases = [(s.id, a) for s in taxonomy.skills.values() for a in s.aliases]
    resolved = resolver.resolve_many(a for _, a in aliases)
    assert [r.canonical for r in resolved] == [sid for sid, _ in aliases]


def test_partial_credit(taxonomy: Taxonomy) -> None:
    implied = taxonomy.credit("python", "django")  # a Django candidate for a Python requirement
    assert 0.0 < implied < 1.0
    assert taxonomy.credit("django", "python") < implied
    assert taxonomy.credit("mysql", "mariadb") == taxonomy.credit("mariadb", "mysql") == 0.8
    assert 0.0 < taxonomy.credit("spring", "spring-boot") < 1.0
    assert 0.0 < taxonomy.credit("javascript", "typescript") < 1.0
    assert taxonomy.credit("python", "ruby") == 0.0
    assert taxonomy.credit("java", "javascript") == 0.0


def test_credit_for_the_same_skill_is_full(taxonomy: Taxonomy) -> None:
    for key in taxonomy.skills:
        assert taxonomy.credit(key, key) == 1.0
    assert taxonomy.credit("unknown:cobol 74", "unknown:cobol 74") == 1.0
    assert taxonomy.credit("unknown:cobol 74", "cobol") == 0.0
    assert taxonomy.credit("python", "unknown:python") == 0.0


def test_related_to_lists_other_skills_with_partial_weights(taxonomy: Taxonomy) -> None:
    related = taxonomy.related_to("python")
    assert related["django"] == taxonomy.credit("python", "django")
    for key in taxonomy.skills:
        for other, weight in taxonomy.related_to(key).items():
            assert other != key
            assert other in taxonomy.skills
            assert 0.0 < weight < 1.0
            assert taxonomy.credit(key, other) == weight
    assert dict(taxonomy.related_to("unknown:anything")) == {}


def test_display_name(taxonomy: Taxonomy) -> None:
    assert taxonomy.display_name("csharp") == "C#"
    assert taxonomy.display_name("unknown:underwater basket weaving") == "underwater basket weaving"


def test_default_taxonomy_is_cached() -> None:
    assert load_taxonomy() is load_taxonomy()


def _doc(skills: list[dict[str, object]]) -> dict[str, object]:
    return {"version": "t1", "categories": {"language": "", "framework": ""}, "skills": skills}


def test_loads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.json"
    doc = _doc(
        [
            {"id": "python", "name": "Python", "category": "language", "aliases": ["py"]},
            {
                "id": "django",
                "name": "Django",
                "category": "framework",
                "credit_towards": {"python": 0.6},
            },
        ]
    )
    path.write_text(json.dumps(doc), encoding="utf-8")
    small = load_taxonomy(path)
    assert small.version == "t1"
    assert list(small.skills) == ["python", "django"]
    assert small.skills["python"] == Skill("python", "Python", "language", ("py",))
    assert small.credit("python", "django") == 0.6
    assert small.credit("django", "python") == 0.0


@pytest.mark.parametrize(
    ("skills", "problem"),
    [
        (
            [
                {"id": "go", "name": "Go", "category": "language"},
                {"id": "go", "name": "Golang", "category": "language"},
            ],
            "duplicate id",
        ),
        (
            [
                {"id": "nodejs", "name": "Node.js", "category": "framework"},
                {"id": "deno", "name": "Deno", "category": "framework", "aliases": ["node js"]},
            ],
            "already a spelling of 'nodejs'",
        ),
        ([{"id": "Node.js", "name": "Node.js", "category": "framework"}], "lowercase slug"),
        ([{"id": "go", "name": "Go", "category": "lang"}], "unknown category"),
        (
            [{"id": "gin", "name": "Gin", "category": "framework", "credit_towards": {"go": 0.5}}],
            "unknown skill 'go'",
        ),
        (
            [{"id": "go", "name": "Go", "category": "language", "credit_towards": {"go": 0.5}}],
            "itself",
        ),
        (
            [
                {"id": "go", "name": "Go", "category": "language"},
                {"id": "gin", "name": "Gin", "category": "framework", "credit_towards": {"go": 1.0}},
            ],
            "not in (0, 1)",
        ),
        (
            [
                {"id": "go", "name": "Go", "category": "language"},
                {"id": "gin", "name": "Gin", "category": "framework", "credit_towards": {"go": 0}},
            ],
            "not in (0, 1)",
        ),
    ],
)
def test_validation_rejects(skills: list[dict[str, object]], problem: str) -> None:
    with pytest.raises(InvalidTaxonomy) as info:
        Taxonomy.from_dict(_doc(skills))
    assert any(problem in str(e) for e in info.value.errors), info.value.errors


@pytest.mark.parametrize(
    "doc",
    [
        {"version": "t1", "skills": [{"id": "go"}]},
        {"skills": []},
        {"version": "t1", "skills": [{"id": "go", "name": "Go", "category": 3}]},
        {
            "version": "t1",
            "skills": [{"id": "go", "name": "Go", "category": "x", "credit_towards": {"c": "high"}}],
        },
    ],
)
def test_malformed_documents_are_rejected(doc: dict[str, object]) -> None:
    with pytest.raises(InvalidTaxonomy):
        Taxonomy.from_dict(doc)


def test_unreadable_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidTaxonomy):
        load_taxonomy(path)
    with pytest.raises(InvalidTaxonomy):
        load_taxonomy(tmp_path / "missing.json")
