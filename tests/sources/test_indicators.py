import pytest

from atlas.errors import DataValidationError
from atlas.sources.catalogue import load_catalogue
from atlas.sources.indicators import load_indicator_csvs, read_indicator_file

HEADER = "region_level,region_code,region_name,year,indicator,value,unit,source,note\n"
GOOD = "gemeente,GM0363,Amsterdam,2022,population,882633,persons,test,\n"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def _write(tmp_path, body, name="population_gemeente.csv"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_every_real_row_loads(data, shared_dir):
    csv_rows = data.observations[data.observations["line"].notna()]
    data_lines = sum(
        len(p.read_text(encoding="utf-8").splitlines()) - 1
        for p in (shared_dir / "indicators").glob("*.csv")
        if p.name not in ("campuses.csv", "mapping_gemeente_nuts3_2019.csv")
    )
    assert len(csv_rows) == data_lines


def test_catalogue_describes_every_indicator_in_the_csvs(catalogue, shared_dir):
    load_indicator_csvs(shared_dir / "indicators", catalogue)
    for ind in catalogue.indicators.values():
        assert ind.title_nl and ind.title_en and ind.unit and ind.definition and ind.source


@pytest.mark.parametrize(
    "bad_row,message",
    [
        ("gemeente,GM0014,Groningen,2022,population,12x,persons,test,\n", "value '12x' is not a number"),
        ("gemeente,GM14,Groningen,2022,population,5,persons,test,\n", "region_code 'GM14' is not a valid gemeente code"),
        ("gemeente,GM0014,Groningen,2022,populaton,5,persons,test,\n", "indicator 'populaton' is not in the catalogue"),
        ("gemeente,GM0014,Groningen,2022,population,5,people,test,\n", "unit 'people' differs"),
        ("gemeente,GM0014,Groningen,2021,population,5,persons,test,\n", "year 2021 is not among the catalogue's years"),
        ("gemeente,GM0014,Groningen,2022,population,,persons,test,\n", "empty value"),
        ("gemeente,GM0014,Groningen,2022,population,5,persons\n", "wrong number of fields"),
        ("wijk,WK001400,Centrum,2022,population,5,persons,test,\n", "unknown region_level 'wijk'"),
    ],
)
def test_bad_row_is_reported_with_its_line(tmp_path, catalogue, bad_row, message):
    path = _write(tmp_path, HEADER + GOOD + bad_row)
    rows, problems = read_indicator_file(path, catalogue)
    assert len(rows) == 1
    assert len(problems) == 1 and problems[0].startswith("population_gemeente.csv:3: ") and message in problems[0]


def test_duplicate_row_names_the_first_line(tmp_path, catalogue):
    rows, problems = read_indicator_file(_write(tmp_path, HEADER + GOOD + GOOD), catalogue)
    assert problems == ["population_gemeente.csv:3: duplicate of line 2 (population, GM0363, 2022)"]


def test_wrong_columns_are_reported(tmp_path, catalogue):
    rows, problems = read_indicator_file(_write(tmp_path, "code,value\nGM0363,5\n"), catalogue)
    assert rows == [] and "missing column(s)" in problems[0]


def test_nuts2_code_must_agree_with_cbs_code(tmp_path, catalogue):
    header = "region_level,region_code,region_name,year,indicator,value,unit,source,note,cbs_code\n"
    row = 'nuts2,NL31,Utrecht,2019,ris2019_regional_innovation_index,150,"index, EU average = 100 (RIS 2019)",t,,PV27\n'
    ok = 'nuts2,NL35,Utrecht,2019,ris2019_regional_innovation_index,150,"index, EU average = 100 (RIS 2019)",t,,PV26\n'
    rows, problems = read_indicator_file(_write(tmp_path, header + ok + row, "ris_scores.csv"), catalogue)
    assert [r["code"] for r in rows] == ["PV26"]
    assert problems == ["ris_scores.csv:3: cbs_code PV27 disagrees with NUTS2 NL31 -> PV26"]


def test_loading_fails_with_all_problems(tmp_path, catalogue, shared_dir):
    folder = tmp_path / "indicators"
    folder.mkdir()
    for path in (shared_dir / "indicators").glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    target = folder / "labour_gemeente.csv"
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[10] = lines[10].replace(",2022,", ",twenty,", 1)
    target.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        load_indicator_csvs(folder, catalogue)
    assert err.value.problems == ["labour_gemeente.csv:11: year 'twenty' is not a year or a period YYYY-YYYY"]
