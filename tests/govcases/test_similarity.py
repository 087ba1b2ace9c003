"""Title similarity for verification (govcases.similarity): pure, no database."""

from govcases.similarity import Candidate, likely_matches, title_key, title_similarity


def candidate(title, agency_id=1, year=2024):
    return Candidate(year=year, title=title, agency_id=agency_id, agency_name="某市", url="/cases/1/")


def test_punctuation_spaces_and_full_width_forms_do_not_count():
    assert title_key("“一网通办” ２.0 版") == "一网通办20版"
    assert title_similarity("“一网通办”改革", "一网通办改革") == 1.0
    assert title_similarity("", "一网通办") == 0.0


def test_a_renamed_case_is_alike_and_an_unrelated_one_is_not():
    renamed = title_similarity("不动产登记“一网通办”", "不动产登记一网通办2.0：全程网办")
    unrelated = title_similarity("不动产登记“一网通办”", "12345热线智能分派")
    assert renamed > 0.6 > 0.2 > unrelated


def test_the_same_agency_is_shown_at_a_lower_likeness_than_another_and_first():
    title = "企业开办一日办结"
    found = likely_matches(
        title=title,
        agency_id=1,
        candidates=[
            candidate("企业开办全程网办", agency_id=1),  # same agency, half alike
            candidate("企业开办全程网办", agency_id=2),  # another agency, half alike: not shown
            candidate("企业开办一日办结", agency_id=3),  # another agency, the same title
            candidate("惠企政策免申即享", agency_id=1),  # same agency, unrelated
        ],
    )
    assert [(match.candidate.agency_id, match.same_agency) for match in found] == [(1, True), (3, False)]
    assert found[1].percent == 100


def test_at_most_three_matches_the_closest_first():
    found = likely_matches(
        title="社保卡一卡通",
        agency_id=1,
        candidates=[candidate(f"社保卡一卡通{'第' * n}期", year=2020 + n) for n in range(5)],
    )
    assert len(found) == 3
    assert [match.similarity for match in found] == sorted((m.similarity for m in found), reverse=True)
