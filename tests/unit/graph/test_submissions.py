"""The issuing rule, submission statuses, input checks and the document codecs."""

from __future__ import annotations

import dataclasses

import pytest

from graph.errors import InvalidInputError
from graph.model.submission_documents import (
    assessment_from_document,
    assessment_to_document,
    panel_from_document,
    panel_to_document,
    submission_from_document,
    submission_to_document,
)
from graph.model.submissions import (
    Assessment,
    AssessmentKind,
    AssessmentPanel,
    Assessor,
    Evidence,
    EvidenceKind,
    IssuingRule,
    LevelPolicy,
    SkillResult,
    SkillTarget,
    Submission,
    SubmissionStatus,
    evaluate_rule,
    submission_status,
)
from graph.services.proofs.submission_checks import check_assessment, check_evidence, check_panel

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
UNI = Assessor("https://www.ucd.ie", "UCD", "institution")
INDUSTRY = Assessor("https://www.ictskillnet.ie", "ICT Skillnet", "industry_body")
REGION = Assessor(
    "https://www.hea.ie", "HEA", "regional_authority", kind=AssessmentKind.ENDORSEMENT
)
MENTOR = Assessor("urn:example:mentor:7", "A mentor", "mentor", required=False)


DEFAULT_RULE = IssuingRule()


def make_submission(
    *assessors: Assessor, rule: IssuingRule = DEFAULT_RULE, proof: str | None = None
) -> Submission:
    panel = AssessmentPanel("https://www.ucd.ie/c/python", tuple(assessors), rule)
    return Submission(
        id="https://credwalk.org/id/submission/1",
        learner="urn:example:learner:42",
        credential=panel.credential,
        skills=(SkillTarget(PYTHON, 4, "Python"), SkillTarget(SQL, None, "SQL")),
        panel=panel,
        evidence=(Evidence(EvidenceKind.LINK, url="https://example.org/work"),),
        submitted_at="2026-01-01T00:00:00.000000Z",
        proof=proof,
    )


_clock = iter(range(1, 10_000))


def results(assessor: Assessor, *items: tuple[str, bool, int | None]) -> Assessment:
    tick = next(_clock)
    return Assessment(
        id=f"urn:assessment:{tick}",
        submission="https://credwalk.org/id/submission/1",
        assessor=assessor.id,
        kind=AssessmentKind.RESULTS,
        recorded_at=f"2026-01-02T00:00:00.{tick:06d}Z",
        results=tuple(SkillResult(skill, ok, level) for skill, ok, level in items),
    )


def endorsement(assessor: Assessor, text: str = "Recognised regionally") -> Assessment:
    tick = next(_clock)
    return Assessment(
        id=f"urn:assessment:{tick}",
        submission="https://credwalk.org/id/submission/1",
        assessor=assessor.id,
        kind=AssessmentKind.ENDORSEMENT,
        recorded_at=f"2026-01-02T00:00:00.{tick:06d}Z",
        endorsement=text,
    )


def test_three_parties_passing_meet_the_rule_with_the_lowest_level() -> None:
    sub = make_submission(UNI, INDUSTRY, REGION, rule=IssuingRule(min_passes=2))
    outcome = evaluate_rule(
        sub,
        [
            results(UNI, (PYTHON, True, 6), (SQL, True, 3)),
            results(INDUSTRY, (PYTHON, True, 5), (SQL, True, None)),
            endorsement(REGION),
        ],
    )
    assert outcome.met and not outcome.blocked and outcome.unmet == ()
    python, sql = outcome.skills
    assert (python.level, python.passed_by) == (5, (INDUSTRY.id, UNI.id))
    assert (sql.level, sql.passed) == (3, True)
    assert set(outcome.passed_by) == {UNI.id, INDUSTRY.id, REGION.id}
    assert submission_status(sub, outcome, assessed=True) is SubmissionStatus.READY


@pytest.mark.parametrize(
    ("policy", "level"), [(LevelPolicy.MIN, 4), (LevelPolicy.MEDIAN, 5), (LevelPolicy.MAX, 7)]
)
def test_level_policy_combines_the_passing_levels(policy: LevelPolicy, level: int) -> None:
    third = Assessor("urn:example:third", "Third", "industry_body")
    sub = make_submission(UNI, INDUSTRY, third, rule=IssuingRule(level_policy=policy))
    outcome = evaluate_rule(
        sub,
        [
            results(UNI, (PYTHON, True, 4), (SQL, True, 2)),
            results(INDUSTRY, (PYTHON, True, 7), (SQL, True, 2)),
            results(third, (PYTHON, True, 5), (SQL, True, 2)),
        ],
    )
    assert outcome.met
    assert outcome.skills[0].level == level


def test_a_missing_required_assessor_is_pending_not_blocking() -> None:
    sub = make_submission(UNI, INDUSTRY, REGION)
    outcome = evaluate_rule(sub, [results(UNI, (PYTHON, True, 5), (SQL, True, 3))])
    assert not outcome.met and not outcome.blocked
    assert outcome.pending == (INDUSTRY.id, REGION.id)
    assert any(
        "ICT Skillnet" in reason and "has not assessed" in reason for reason in outcome.unmet
    )
    assert submission_status(sub, outcome, assessed=True) is SubmissionStatus.IN_ASSESSMENT
    assert submission_status(sub, evaluate_rule(sub, []), assessed=False) is (
        SubmissionStatus.SUBMITTED
    )


def test_a_required_failure_blocks_until_the_assessor_assesses_again() -> None:
    sub = make_submission(UNI, INDUSTRY)
    failed = results(INDUSTRY, (PYTHON, False, 2), (SQL, True, 3))
    first = evaluate_rule(sub, [results(UNI, (PYTHON, True, 5), (SQL, True, 3)), failed])
    assert first.blocked and not first.met
    assert first.skills[0].failed_by == (INDUSTRY.id,)
    assert submission_status(sub, first, assessed=True) is SubmissionStatus.NOT_PASSED
    # The later assessment by the same assessor supersedes the failure; both stay recorded.
    again = results(INDUSTRY, (PYTHON, True, 4), (SQL, True, 3))
    second = evaluate_rule(sub, [results(UNI, (PYTHON, True, 5), (SQL, True, 3)), failed, again])
    assert second.met and second.skills[0].level == 4


@pytest.mark.parametrize("blocks", [True, False])
def test_an_optional_failure_blocks_only_when_the_rule_says_so(blocks: bool) -> None:
    sub = make_submission(UNI, MENTOR, rule=IssuingRule(any_fail_blocks=blocks))
    outcome = evaluate_rule(
        sub,
        [results(UNI, (PYTHON, True, 5), (SQL, True, 3)), results(MENTOR, (PYTHON, False, 1))],
    )
    assert outcome.met is not blocks
    assert outcome.blocked is blocks
    # The failure never lowers the level the passing assessor certified.
    assert outcome.skills[0].level == 5


def test_min_passes_counts_only_results_assessors() -> None:
    sub = make_submission(UNI, REGION, MENTOR, rule=IssuingRule(min_passes=2))
    outcome = evaluate_rule(
        sub, [results(UNI, (PYTHON, True, 5), (SQL, True, 3)), endorsement(REGION)]
    )
    assert not outcome.met
    assert outcome.unmet == ("1 of the 2 passing assessments needed so far",)


def test_a_level_below_the_required_one_is_not_certified() -> None:
    sub = make_submission(UNI)
    outcome = evaluate_rule(sub, [results(UNI, (PYTHON, True, 3), (SQL, True, 1))])
    assert not outcome.met and not outcome.blocked
    assert outcome.unmet == (f"{PYTHON} was certified at level 3; the credential requires 4",)
    # A pass without any level cannot show the required level was reached.
    outcome = evaluate_rule(sub, [results(UNI, (PYTHON, True, None), (SQL, True, 1))])
    assert not outcome.met


def test_assessments_from_outside_the_panel_are_ignored() -> None:
    sub = make_submission(UNI)
    stranger = Assessor("urn:example:stranger", "Stranger", "industry_body")
    outcome = evaluate_rule(sub, [results(stranger, (PYTHON, True, 8), (SQL, True, 8))])
    assert not outcome.met and outcome.passed_by == ()


def test_an_issued_submission_stays_issued() -> None:
    sub = make_submission(UNI, proof="https://credwalk.org/id/proof/1")
    assert submission_status(sub, evaluate_rule(sub, []), assessed=False) is (
        SubmissionStatus.ISSUED
    )


def test_the_rule_reads_as_a_sentence() -> None:
    sub = make_submission(UNI, INDUSTRY, MENTOR, rule=IssuingRule(min_passes=2))
    text = sub.panel.rule.describe(sub.panel)
    assert text.startswith("Issued when every required assessor (UCD, ICT Skillnet) passed it")
    assert "at least 2 assessors passed it" in text and "no assessor failed it" in text


# -- checks -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("panel", "field"),
    [
        (AssessmentPanel("urn:c", ()), "assessors"),
        (AssessmentPanel("urn:c", (dataclasses.replace(UNI, id="not an iri"),)), "assessors[0].id"),
        (AssessmentPanel("urn:c", (UNI, UNI)), "assessors[1].id"),
        (AssessmentPanel("urn:c", (dataclasses.replace(UNI, name=" "),)), "assessors[0].name"),
        (AssessmentPanel("urn:c", (REGION,)), "assessors"),
        (
            AssessmentPanel("urn:c", (dataclasses.replace(UNI, skills=("urn:other",)),)),
            "assessors[0].skills",
        ),
        (AssessmentPanel("urn:c", (dataclasses.replace(UNI, skills=(PYTHON,)),)), "assessors"),
        (AssessmentPanel("urn:c", (UNI,), IssuingRule(min_passes=2)), "rule.min_passes"),
    ],
    ids=[
        "empty",
        "not-iri",
        "twice",
        "no-name",
        "only-endorsers",
        "unknown-skill",
        "sql-uncovered",
        "min-passes",
    ],
)
def test_check_panel_names_the_field(panel: AssessmentPanel, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        check_panel(panel, skills=[PYTHON, SQL])
    assert info.value.details["field"] == field


def test_check_panel_accepts_split_skills() -> None:
    split = (
        dataclasses.replace(UNI, skills=(PYTHON,)),
        dataclasses.replace(INDUSTRY, skills=(SQL,)),
    )
    check_panel(AssessmentPanel("urn:c", (*split, REGION)), skills=[PYTHON, SQL])


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (Evidence(EvidenceKind.LINK), "evidence[0].url"),
        (Evidence(EvidenceKind.LINK, url="ftp://example.org/x"), "evidence[0].url"),
        (Evidence(EvidenceKind.DOCUMENT, name="r.pdf", sha256="abc"), "evidence[0].sha256"),
        (Evidence(EvidenceKind.DOCUMENT, sha256="ab" * 32), "evidence[0].name"),
        (Evidence(EvidenceKind.TEXT, text="  "), "evidence[0].text"),
        (Evidence(EvidenceKind.TEXT, text="x", sha256="ab" * 32), "evidence[0].sha256"),
    ],
)
def test_check_evidence_names_the_field(item: Evidence, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        check_evidence([item])
    assert info.value.details["field"] == field


def test_check_evidence_lowercases_hashes_and_limits_the_count() -> None:
    (checked,) = check_evidence([Evidence(EvidenceKind.DOCUMENT, name="r.pdf", sha256="AB" * 32)])
    assert checked.sha256 == "ab" * 32
    with pytest.raises(InvalidInputError) as info:
        check_evidence([])
    assert info.value.details["field"] == "evidence"


@pytest.mark.parametrize(
    ("assessment", "field"),
    [
        (results(Assessor("urn:x", "X", "x"), (PYTHON, True, 5), (SQL, True, 3)), "assessor"),
        (results(UNI, (PYTHON, True, 5)), "results"),
        (results(UNI, (PYTHON, True, 5), (SQL, True, 3), (PYTHON, True, 5)), "results[2].skill"),
        (results(UNI, (PYTHON, True, 9), (SQL, True, 3)), "results[0].level"),
        (results(UNI, ("urn:other", True, 3)), "results[0].skill"),
        (dataclasses.replace(endorsement(UNI), kind=AssessmentKind.RESULTS), "endorsement"),
        (endorsement(REGION, text=" "), "endorsement"),
        (dataclasses.replace(results(REGION, (PYTHON, True, 3)), endorsement="x"), "results"),
    ],
    ids=[
        "stranger",
        "missing-skill",
        "twice",
        "off-scale",
        "unknown-skill",
        "endorsement-from-grader",
        "empty-endorsement",
        "results-from-endorser",
    ],
)
def test_check_assessment_names_the_field(assessment: Assessment, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        check_assessment(make_submission(UNI, REGION), assessment)
    assert info.value.details["field"] == field


# -- codecs -------------------------------------------------------------------------------------


def test_documents_round_trip() -> None:
    rule = IssuingRule(min_passes=2, any_fail_blocks=False, level_policy=LevelPolicy.MEDIAN)
    split = dataclasses.replace(INDUSTRY, skills=(SQL,))
    sub = dataclasses.replace(
        make_submission(UNI, split, REGION, MENTOR, rule=rule),
        evidence=(
            Evidence(EvidenceKind.DOCUMENT, name="r.pdf", sha256="ab" * 32, media_type="a/b"),
            Evidence(EvidenceKind.TEXT, name="Why", text="Because"),
        ),
        note="first try",
        level_scale=(0, 5),
    )
    assert submission_from_document(submission_to_document(sub)) == sub
    assert panel_from_document(panel_to_document(sub.panel)) == sub.panel
    for assessment in (results(UNI, (PYTHON, False, 2)), endorsement(REGION)):
        assert assessment_from_document(assessment_to_document(assessment)) == assessment
