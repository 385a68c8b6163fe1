"""Resolution of messy free-text skill names against the shipped taxonomy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import matcher.skills.resolver as resolver_module
from matcher.skills import (
    Resolution,
    Skill,
    SkillResolver,
    Taxonomy,
    default_resolver,
    load_taxonomy,
    normalise,
)

# input -> (expected canonical id or None, expected method)
CASES: list[tuple[str, str | None, str]] = [
    # display names, any casing, spacing or punctuation
    ("Python", "python", "exact"),
    ("JAVA", "java", "exact"),
    ("  javascript  ", "javascript", "exact"),
    ("Node.js", "nodejs", "exact"),
    ("NODE.JS", "nodejs", "exact"),
    ("NodeJS", "nodejs", "exact"),
    ("node js", "nodejs", "exact"),
    ("C++", "cpp", "exact"),
    ("C#", "csharp", "exact"),
    ("F#", "fsharp", "exact"),
    (".NET", "dotnet", "exact"),
    ("HTML5", "html5", "exact"),
    ("CSS3", "css3", "exact"),
    ("jQuery", "jquery", "exact"),
    ("Vue.js", "vue", "exact"),
    ("Web3", "web3", "exact"),
    ("Spring Boot", "spring-boot", "exact"),
    ("springboot", "spring-boot", "exact"),
    ("Ruby-on-Rails", "rails", "exact"),
    ("Objective C", "objective-c", "exact"),
    ("Apache Kafka", "kafka", "exact"),
    ("Amazon S3", "aws-s3", "exact"),
    ("Amazon Web Services", "aws", "exact"),
    ("CI/CD", "ci-cd", "exact"),
    ("• Kubernetes,", "kubernetes", "exact"),
    ('"PostgreSQL"', "postgresql", "exact"),
    ("(Kafka)", "kafka", "alias"),
    # aliases, abbreviations, ids
    ("Postgres", "postgresql", "alias"),
    ("k8s", "kubernetes", "alias"),
    ("C Sharp", "csharp", "alias"),
    ("csharp", "csharp", "alias"),
    ("RoR", "rails", "alias"),
    ("Golang", "go", "alias"),
    ("ReactJS", "react", "alias"),
    ("React.js", "react", "alias"),
    ("Mongo", "mongodb", "alias"),
    ("MS SQL", "sql-server", "alias"),
    ("HTML", "html5", "alias"),
    ("css", "css3", "alias"),
    (".net core", "dotnet", "alias"),
    ("S3", "aws-s3", "alias"),
    ("EC2", "aws-ec2", "alias"),
    ("AWS", "aws", "alias"),
    ("ES6", "javascript", "alias"),
    ("DRF", "django-rest-framework", "alias"),
    ("GH Actions", "github-actions", "alias"),
    ("c/c++", "c", "combined"),  # C and C++: both, not the best single guess
    ("Swagger/OpenAPI", "openapi", "alias"),
    ("AWS (EC2, S3, Lambda)", "aws", "combined"),
    # versions are dropped only when what is left is a known name
    ("Java 17", "java", "exact"),
    ("java8", "java", "exact"),
    ("Java 8/11/17", "java", "exact"),
    ("php7", "php", "exact"),
    ("PHP 8.2", "php", "exact"),
    ("Python 3.11", "python", "exact"),
    ("python3", "python", "alias"),  # a Linguist alias of Python
    ("PostgreSQL 14", "postgresql", "exact"),
    ("Postgres 15", "postgresql", "alias"),
    ("Angular 2+", "angular", "exact"),
    ("Angular 1", "angularjs", "alias"),
    (".NET 8", "dotnet", "exact"),
    ("C++17", "cpp", "exact"),
    ("C# 10", "csharp", "exact"),
    ("Spring Boot 3.x", "spring-boot", "exact"),
    ("Vue 3", "vue", "alias"),
    ("Node 18", "nodejs", "alias"),
    ("Windows Server 2019", "windows-server", "exact"),
    # filler words and vendor prefixes
    ("strong Go skills", "go", "exact"),
    ("FastAPI framework", "fastapi", "exact"),
    ("Jenkins server", "jenkins", "exact"),
    ("HashiCorp Terraform", "terraform", "exact"),
    # typos
    ("Pyhton", "python", "fuzzy"),
    ("Kuberentes", "kubernetes", "fuzzy"),
    ("Postgress", "postgresql", "fuzzy"),
    ("Djnago", "django", "fuzzy"),
    ("Elasticsearh", "elasticsearch", "fuzzy"),
    ("javascirpt", "javascript", "fuzzy"),
    ("Djano", "django", "fuzzy"),
    ("Terrafrom", "terraform", "fuzzy"),
    ("Laravell", "laravel", "fuzzy"),
    ("Sprint Boot", "spring-boot", "fuzzy"),
    ("SQL Sever", "sql-server", "fuzzy"),
    ("MongoBD", "mongodb", "fuzzy"),
    ("Reddis", None, "unknown"),  # Redis or Reddit (simple-icons): not confident
    ("Ruby on Rail", "rails", "fuzzy"),
    ("Nginix", "nginx", "fuzzy"),
    ("Pyhton 3", "python", "fuzzy"),
    ("Apache Kafak", "kafka", "fuzzy"),
    # look-alikes stay apart
    ("Java", "java", "exact"),
    ("JavaScript", "javascript", "exact"),
    ("C", "c", "exact"),
    ("Redis", "redis", "exact"),
    ("Redux", "redux", "exact"),
    ("Reduxx", "redux", "fuzzy"),
    ("React", "react", "exact"),
    ("React Native", "react-native", "exact"),
    ("Rust", "rust", "exact"),
    ("Ruby", "ruby", "exact"),
    ("Kafka Streams", "kafka-streams", "exact"),
    ("Go", "go", "exact"),
    ("Groovy", "groovy", "exact"),
    ("SQL", "sql", "exact"),
    ("MySQL", "mysql", "exact"),
    ("NoSQL", "nosql", "exact"),
    ("Vue", "vue", "alias"),
    ("Vuex", "vuex", "exact"),
    # unknown: nothing close enough, or a look-alike word rather than a typo
    ("Flash", None, "unknown"),
    ("Sprint", None, "unknown"),
    ("Scale", None, "unknown"),
    ("Jave", None, "unknown"),
    ("Graph API", None, "unknown"),
    ("Pythonic", None, "unknown"),  # 75: close, but a word of its own
    ("Terraforming", None, "unknown"),
    ("Swiftly", None, "unknown"),
    ("Puppetry", None, "unknown"),
    ("xyzzy", None, "unknown"),
    ("Underwater basket weaving", None, "unknown"),
    ("", None, "unknown"),
]

LOOK_ALIKES = [
    ("Java", "JavaScript"),
    ("C", "C++"),
    ("C", "C#"),
    ("C++", "C#"),
    ("Redis", "Redux"),
    ("React", "React Native"),
    ("Rust", "Ruby"),
    ("Kafka", "Kafka Streams"),
    ("Go", "Groovy"),
    ("SQL", "MySQL"),
    ("SQL", "NoSQL"),
    ("MySQL", "NoSQL"),
    ("Vue", "Vuex"),
    ("HTML5", "HTML"),
]


@pytest.fixture(scope="module")
def resolver() -> SkillResolver:
    return SkillResolver(load_taxonomy())


def test_the_case_table_is_big_enough() -> None:
    assert len(CASES) >= 60
    assert len({name for name, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "expected", "method"), CASES)
def test_resolves_messy_names(resolver: SkillResolver, name: str, expected: str | None, method: str) -> None:
    res = resolver.resolve(name)
    assert (res.canonical, res.method) == (expected, method)
    assert res.input == name
    if method in ("exact", "alias", "combined"):
        assert res.score == 100.0
    elif method == "fuzzy":
        assert resolver.cutoff <= res.score < 100.0
    else:
        assert res.score == 0.0
        assert res.name is None
    if expected is not None:
        assert res.name == load_taxonomy().skills[expected].name


# Real-world shapes from the issue: separators, filler words, spelled-out names, combined entries,
# and distinct technologies the source data lists that must not fuzz onto a look-alike.
NORMALISED = [
    ("rust-language", "rust"),
    ("mysql-database", "mysql"),
    ("quarkus-framework", "quarkus"),
    ("c-programming-language", "c"),
    ("kotlinlang", "kotlin"),
    ("PHP Hypertext Preprocessor", "php"),
    ("Windows PowerShell", "powershell"),
    ("Jenkins CI", "jenkins"),
    ("OpenAPI Specification", "openapi"),
    ("PL/pgSQL", "plpgsql"),
    ("FeathersJS", "feathersjs"),
    ("Nette", "nette"),
    ("Cython", "cython"),
    ("ClojureScript", "clojurescript"),
]


@pytest.mark.parametrize(("name", "expected"), NORMALISED)
def test_real_world_spellings(resolver: SkillResolver, name: str, expected: str) -> None:
    assert resolver.resolve(name).canonical == expected


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Java/J2EE", ["java", "jakarta-ee"]),
        ("React/Redux", ["react", "redux"]),
        ("Node/Express", ["nodejs", "express"]),
        ("Python/Django", ["python", "django"]),
        ("Python, Django", ["python", "django"]),
        ("Django & PostgreSQL", ["django", "postgresql"]),
        ("Java (Spring)", ["java", "spring"]),
    ],
)
def test_combined_entries_name_every_part(resolver: SkillResolver, name: str, parts: list[str]) -> None:
    res = resolver.resolve(name)
    assert res.method == "combined"
    assert [p.canonical for p in res.entries()] == parts
    assert res.canonical == parts[0]


@pytest.mark.parametrize(
    ("name", "single"),
    [
        ("Swagger/OpenAPI", "openapi"),
        ("CI/CD", "ci-cd"),
        ("TCP/IP", "networking"),
        ("Python (5 years)", "python"),
    ],
)
def test_combined_forms_of_one_skill_stay_one(resolver: SkillResolver, name: str, single: str) -> None:
    res = resolver.resolve(name)
    assert res.canonical == single
    assert res.parts == ()


@pytest.mark.parametrize(
    ("name", "source"), [("Scalar", "Scalar"), ("Prism", ""), ("Objective-C++", "Objective-C++")]
)
def test_distinct_technologies_stay_unresolved_and_say_why(
    resolver: SkillResolver, name: str, source: str
) -> None:
    res = resolver.resolve(name)
    assert res.canonical is None
    assert res.note
    assert source in res.note


@pytest.mark.parametrize(("a", "b"), LOOK_ALIKES)
def test_look_alikes_stay_apart(resolver: SkillResolver, a: str, b: str) -> None:
    ra, rb = resolver.resolve_many([a, b])
    assert ra.canonical is not None
    assert rb.canonical is not None
    if (a, b) == ("HTML5", "HTML"):
        assert ra.canonical == rb.canonical  # the same skill under two spellings
    else:
        assert ra.canonical != rb.canonical


def test_resolve_many_equals_resolve_one_by_one() -> None:
    names = [name for name, _, _ in CASES] + ["Postgres", "POSTGRES", "pyhton"]
    bulk = SkillResolver(load_taxonomy()).resolve_many(names)
    single = SkillResolver(load_taxonomy())
    assert bulk == [single.resolve(n) for n in names]


def _counting_cdist(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real: Callable[..., Any] = resolver_module.cdist

    def counting(queries: list[str], *args: Any, **kwargs: Any) -> Any:
        calls.append(len(queries))
        return real(queries, *args, **kwargs)

    monkeypatch.setattr(resolver_module, "cdist", counting)
    return calls


def test_bulk_fuzzy_runs_one_cdist_and_the_cache_spares_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _counting_cdist(monkeypatch)
    resolver = SkillResolver(load_taxonomy())
    names = ["Pyhton", "Kuberentes", "Postgress", "Djnago", "xyzzy", "Python", "Pyhton"]
    first = resolver.resolve_many(names)
    assert calls == [5]  # one batch: the five distinct names that are neither exact nor alias
    info = resolver.cache_info()
    assert (info.misses, info.hits, info.size, info.fuzzy_batches) == (7, 0, 6, 1)

    again = resolver.resolve_many(["PYHTON", " kuberentes ", "Postgress", "Djnago", "XYZZY"])
    assert calls == [5]
    assert resolver.cache_info().hits == 5
    assert [r.canonical for r in again] == ["python", "kubernetes", "postgresql", "django", None]
    assert again[0].input == "PYHTON"  # cached by normalised text, reported with its own input
    assert first[0].input == "Pyhton"

    assert resolver.resolve("Pyhton") == first[0]
    assert calls == [5]


def test_exact_and_alias_hits_never_call_cdist(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting_cdist(monkeypatch)
    SkillResolver(load_taxonomy()).resolve_many(["Python", "k8s", "Java 17", "C#"])
    assert calls == []


def test_cache_is_bounded() -> None:
    resolver = SkillResolver(load_taxonomy(), cache_size=2)
    resolver.resolve_many(["Python", "Java", "Go"])
    assert resolver.cache_info().size == 2
    resolver.clear_cache()
    assert resolver.cache_info() == (0, 0, 0, 2, 0)


def test_unknown_key_matches_the_same_text_only(resolver: SkillResolver) -> None:
    a, b, c = resolver.resolve_many(["Underwater  Basket Weaving", "underwater basket weaving.", "xyzzy"])
    assert a.key == b.key == "unknown:underwater basket weaving"
    assert c.key == "unknown:xyzzy"
    assert resolver.resolve("Postgres").key == "postgresql"


def test_to_json_has_exactly_the_public_keys(resolver: SkillResolver) -> None:
    assert resolver.resolve("Pyhton").to_json() == {
        "input": "Pyhton",
        "canonical": "python",
        "name": "Python",
        "method": "fuzzy",
        "score": 83.3,
        "understood": "Pyhton -> Python",
    }
    assert resolver.resolve("xyzzy").to_json() == {
        "input": "xyzzy",
        "canonical": None,
        "name": None,
        "method": "unknown",
        "score": 0.0,
        "understood": "unknown: kept as typed",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Node.js ", "node.js"),
        (".NET", ".net"),
        ("...NET", ".net"),
        ("C++", "c++"),
        ("C#,", "c#"),
        ("• Python;", "python"),
        ("(Kafka)", "kafka"),
        ("Spring\tBoot", "spring boot"),
        ("\uff30\uff59\uff54\uff48\uff4f\uff4e", "python"),  # full-width
        ("Python™", "python"),
        ("PL\u2013SQL", "pl-sql"),  # en dash
        ("Java 17", "java 17"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def _pair_taxonomy() -> Taxonomy:
    skills = [
        Skill("abcdefgh", "Abcdefgh", "language", ()),
        Skill("abcdefgk", "Abcdefgk", "language", ()),
    ]
    return Taxonomy("test", skills, {})


def test_fuzzy_needs_a_clear_winner() -> None:
    resolver = SkillResolver(_pair_taxonomy())
    tie = resolver.resolve("Abcdefgx")  # one edit from both skills
    assert (tie.canonical, tie.method) == (None, "unknown")
    clear = resolver.resolve("Abcdefghh")  # one edit from the first, two from the second
    assert (clear.canonical, clear.method) == ("abcdefgh", "fuzzy")


def test_cutoff_is_configurable() -> None:
    strict = SkillResolver(load_taxonomy(), cutoff=95.0)
    assert strict.resolve("Pyhton").method == "unknown"
    assert strict.resolve("Elasticsearh").method == "unknown"


def test_default_resolver_is_shared() -> None:
    assert default_resolver() is default_resolver()
    assert default_resolver().taxonomy is load_taxonomy()


def test_resolution_is_a_value() -> None:
    a = Resolution("Postgres", "postgresql", "PostgreSQL", "alias", 100.0)
    b = Resolution("Postgres", "postgresql", "PostgreSQL", "alias", 100.0)
    assert a == b
    assert hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.canonical = "mysql"  # type: ignore[misc]
