"""`--game-shard I/N` and `gameqa merge`: a CI matrix splits the games, one merge job puts them back together.

The e2e test runs two real shards (pytest subprocesses, real Chromium, bundled example games), moves
one of them as a CI artifact download would, merges them and asks `gameqa status`/`history`/`show`.
The fast tests build shard folders from the real models and a real SQLite run store.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from helpers import GAMES, run_pytest

from pytest_gameqa import cli
from pytest_gameqa.models import ActionResult, Issue, IssueKind, ResultsFile, TestRecord
from pytest_gameqa.plugin.shard import assign, shard_line
from pytest_gameqa.runs.store import Owner, RunStore, new_id

GAME_IDS = [
    f"gameqa::test_game[../games/{name}]" for name in ("healthy-canvas", "broken-page-error", "healthy-turn-based")
]


def gameqa(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The installed `gameqa` console script, as a CI step runs it."""
    script = shutil.which("gameqa", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    assert script is not None, "the gameqa console script is not installed; run: pip install -e ."
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "GAMEQA_RUNS_DB")}
    return subprocess.run([script, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def as_json(proc: subprocess.CompletedProcess[str]) -> Any:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


# ---------------------------------------------------------------------------------------------- the split
def test_every_test_lands_in_exactly_one_shard_and_the_shards_are_balanced() -> None:
    ids = [f"gameqa::test_game[https://example.com/game-{i}/]" for i in range(300)]
    ids += [f"tests/test_unit.py::test_{i}" for i in range(100)]
    for total in range(1, 6):
        shards = assign(ids, total)
        assert set(shards) == set(ids)
        assert set(shards.values()) == set(range(1, total + 1))
        sizes = [sum(1 for s in shards.values() if s == i) for i in range(1, total + 1)]
        assert max(sizes) <= 1.25 * len(ids) / total, sizes  # hashing spreads a studio's games evenly


def test_the_split_depends_only_on_each_test_id() -> None:
    games = [f"gameqa::test_game[g{i}]" for i in range(9)]
    others = [f"t.py::test_{i}" for i in range(9)]
    first = assign(games + others, 3)
    for _ in range(5):  # collection order (pytest-randomly, xdist workers) changes nothing
        random.shuffle(games)
        random.shuffle(others)
        assert assign(games + others, 3) == first
    # a game rerun on its own (-k, --lf, a shorter list) lands on the shard it ran on before
    for nodeid in games:
        assert assign([nodeid], 3) == {nodeid: first[nodeid]}
    # the same on every machine and Python process: SHA-256 of the id, never the salted hash()
    assert assign([*GAME_IDS, "tests/test_a.py::test_one", "tests/test_a.py::test_two"], 2) == {
        "gameqa::test_game[../games/healthy-canvas]": 1,
        "gameqa::test_game[../games/broken-page-error]": 1,
        "gameqa::test_game[../games/healthy-turn-based]": 2,
        "tests/test_a.py::test_one": 2,
        "tests/test_a.py::test_two": 2,
    }


def test_the_shard_line_says_which_shard_and_what_it_kept() -> None:
    assert shard_line((1, 2), 2, 3) == "gameqa shard 1/2: 2 of 3 tests here, 1 in the other shards (split by test id)"
    assert shard_line((4, 4), 0, 3) == "gameqa shard 4/4: no tests in this shard (3 tests over 4 shards); exit code 0"


# ---------------------------------------------------------------------------------------------- merge, fast
def _record(nodeid: str, outcome: str, started: str, folder: str, kind: IssueKind | None = None) -> TestRecord:
    shot = f"{folder}/01-after-press-space.jpg"
    issues = [Issue(kind=kind, message="boom", at_s=1.0, screenshot=shot)] if kind else []
    return TestRecord(
        nodeid=nodeid,
        url=nodeid.split("[", 1)[1].rstrip("]"),
        outcome=outcome,  # type: ignore[arg-type]
        started_at=started,
        duration_s=4.0,
        issues=issues,
        actions=[ActionResult(index=1, description="press Space", ok=True, at_s=0.5, before=shot, after=shot)],
        artifacts_dir=folder,
        files={"evidence": f"{folder}/evidence.json"},
    )


def _fake_shard(root: Path, machine_output: str, records: list[TestRecord]) -> dict[str, str]:
    """A shard as its CI job leaves it: output folder + run store whose paths are the CI machine's.

    Returns nodeid -> run id."""
    out = root / "test-results"
    out.mkdir(parents=True)
    (out / "gameqa-results.json").write_text(ResultsFile(tests=records).model_dump_json())
    for record in records:
        (out / str(record.artifacts_dir)).mkdir()
        (out / str(record.artifacts_dir) / "evidence.json").write_text("{}")
    store = RunStore(root / ".gameqa" / "runs.sqlite").open()
    session = new_id()
    store.start_session(
        session, owner=Owner("ci-runner", 1, None), cwd="/ci", args=[], results_path=f"{machine_output}/"
        "gameqa-results.json", html_report=None
    )  # fmt: skip
    ids = {}
    for record in records:
        ids[record.nodeid] = store.update_run(
            session,
            record.nodeid,
            status=record.outcome,
            url=record.url,
            url_key=f"https://games.example/{record.url}",
            started_at=record.started_at,
            artifacts_dir=f"{machine_output}/{record.artifacts_dir}",
            evidence_path=f"{machine_output}/{record.artifacts_dir}/evidence.json",
            record=json.dumps({"artifacts_dir": f"{machine_output}/{record.artifacts_dir}"}),
            issue_kinds=json.dumps({i.kind.value: 1 for i in record.issues}),
        )
    store.finish_session(session, exit_code=1, interrupted=False)
    store.close()
    return ids


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_merge_keeps_every_game_once_latest_run_wins_and_can_be_rerun(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    a, b, c = (f"gameqa::test_game[{n}]" for n in ("a", "b", "c"))
    t0, t1, t5, t9 = (f"2026-12-01T10:0{m}:0{s}+00:00" for m, s in ((0, 0), (0, 1), (0, 5), (9, 0)))
    shard1 = [_record(a, "passed", t0, "ev-a"), _record(b, "failed", t5, "ev-b1", IssueKind.PAGE_ERROR)]
    ids1 = _fake_shard(tmp_path / "shard-1", "/ci/one/test-results", shard1)
    shard2 = [_record(c, "failed", t1, "ev-c", IssueKind.FREEZE), _record(b, "passed", t9, "ev-b2")]  # b rerun, later
    ids2 = _fake_shard(tmp_path / "shard-2", "/ci/two/test-results", shard2)

    code, out, err = _main(capsys, "merge", "shard-1", "shard-2", "--into", "merged")
    assert code == 1, out + err  # a game failed: the merge job fails like the shard did
    assert out.splitlines()[0] == "gameqa merge: 3 games from 2 shards: 1 failed, 2 passed"
    assert "issues: freeze" in out
    assert f"note: {b} ran in shard-1 and shard-2: kept shard-2's (later)" in out
    merged = json.loads((tmp_path / "merged" / "gameqa-results.json").read_text())
    by_id = {t["nodeid"]: t for t in merged["tests"]}
    assert sorted(by_id) == [a, b, c] and by_id[b]["outcome"] == "passed"
    assert by_id[c]["artifacts_dir"] == "../shard-2/test-results/ev-c"  # relative to the merged file
    assert by_id[c]["issues"][0]["screenshot"] == "../shard-2/test-results/ev-c/01-after-press-space.jpg"
    assert (tmp_path / "merged" / by_id[a]["files"]["evidence"]).is_file()
    index = (tmp_path / "merged" / "index.html").read_text()
    assert index.count("<tr class=") == 3 and 'href="../shard-2/test-results/ev-c/evidence.json"' in index

    # the merged store: one session, every game once, the shards' run ids, paths of this machine
    code, out, _ = _main(capsys, "status", "--json", "--db", "merged/.gameqa/runs.sqlite")
    status = json.loads(out)
    runs = {r["nodeid"]: r for r in status["runs"]}
    assert sorted(runs) == [a, b, c]
    assert runs[a]["id"] == ids1[a] and runs[b]["id"] == ids2[b] and runs[c]["id"] == ids2[c]
    assert {n: r["status"] for n, r in runs.items()} == {a: "passed", b: "passed", c: "failed"}
    assert runs[c]["artifacts_dir"] == str(tmp_path / "shard-2" / "test-results" / "ev-c")
    assert runs[c]["record"]["artifacts_dir"] == str(tmp_path / "shard-2" / "test-results" / "ev-c")
    code, out, _ = _main(capsys, "history", "--json", "--db", "merged/.gameqa/runs.sqlite", "https://games.example/c")
    assert [r["id"] for r in json.loads(out)["runs"]] == [ids2[c]]

    # merging again (a rerun of the merge job) replaces the merged session: nothing doubles
    assert _main(capsys, "merge", "shard-2", "shard-1", "--into", "merged")[0] == 1
    store = RunStore(tmp_path / "merged" / ".gameqa" / "runs.sqlite").open(create=False)
    try:
        assert len(store.sessions()) == 1 and len(store.runs_of(status["session"]["id"])) == 3
    finally:
        store.close()


def test_bad_merge_input_is_one_line_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "gameqa-results.json").write_text('{"version": 1, "tests": [{"nodeid": 3}]}')
    _fake_shard(tmp_path / "ok", "/ci/ok", [_record("t::g[x]", "passed", "2026-12-01T10:00:00+00:00", "ev")])
    cases = {
        ("missing",): "gameqa merge: missing does not exist; give each shard's --output folder",
        ("empty",): "gameqa merge: empty has no gameqa-results.json; give the folder a shard wrote with --output",
        ("broken",): "is not a gameqa results file",
        ("ok", "--into", "ok/test-results"): "--into must not be a shard's own folder",
    }
    for args, words in cases.items():
        code, out, err = _main(capsys, "merge", *args)
        assert code == 2, (args, out, err)
        assert len(err.strip().splitlines()) == 1 and words in err and "Traceback" not in err, err
    assert not (tmp_path / "gameqa-merged").exists()  # nothing half-written


# ---------------------------------------------------------------------------------------------- e2e
@pytest.mark.e2e
def test_ordinary_tests_are_sharded_once_each_also_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(test_plain="\n".join(f"def test_{i}():\n    pass\n" for i in range(7)))
    common = ("-p", "no:cacheprovider", "--game-no-runs", "-v")
    # xdist stops a run whose workers collected different tests: under -n 2 they must deal alike
    runs = [pytester.runpytest_subprocess("--game-shard", "1/2", "-n", "2", *common)]
    runs.append(pytester.runpytest_subprocess("--game-shard", "2/2", *common))  # (one after the other:
    # pytester keeps each run's output in files of its one folder)
    ran = [
        sorted({t for line in r.outlines if "PASSED" in line for t in re.findall(r"test_plain\.py::\w+", line)})
        for r in runs
    ]
    expected = assign([f"test_plain.py::test_{i}" for i in range(7)], 2)
    for index, (result, names) in enumerate(zip(runs, ran, strict=True), start=1):
        assert result.ret == 0, result.stdout.str()
        assert names == sorted(n for n, s in expected.items() if s == index)  # both workers dealt the same way
        result.stdout.fnmatch_lines([f"gameqa shard {index}/2: {len(names)} of 7 tests here*"])
    assert sorted(ran[0] + ran[1]) == sorted(expected)
    empty = pytester.runpytest_subprocess("--game-shard", "8/8", *common)
    assert empty.ret == 0  # more shards than tests: this shard has nothing to do, and that is fine
    empty.stdout.fnmatch_lines(["gameqa shard 8/8: no tests in this shard (7 tests over 8 shards); exit code 0"])
    pytester.path.joinpath("test_plain.py").unlink()
    assert pytester.runpytest_subprocess("--game-shard", "1/2", *common).ret == 5  # nothing collected at all


@pytest.mark.e2e
def test_a_bad_shard_spec_is_one_line_without_a_traceback(tmp_path: Path) -> None:
    for args, env, words in (
        (["--game-shard", "3/2"], {}, "gameqa: --game-shard must be I/N with 1 <= I <= N, such as 1/4, got '3/2'"),
        ([], {"GAMEQA_SHARD": "two of four"}, "gameqa: GAMEQA_SHARD must be I/N"),
    ):
        proc, _ = run_pytest([*args, f"--game-url={GAMES / 'healthy-canvas'}"], tmp_path, timeout=60, env=env)
        assert proc.returncode == 4, proc.stdout + proc.stderr
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and words in lines[0], proc.stderr
        assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.e2e
def test_two_real_shards_merged_into_one_results_file_store_and_index(tmp_path: Path) -> None:
    games = tmp_path / "games"
    for name in ("healthy-canvas", "broken-page-error", "healthy-turn-based"):
        shutil.copytree(GAMES / name, games / name)
    urls = [f"--game-url=../games/{name}" for name in ("healthy-canvas", "broken-page-error", "healthy-turn-based")]
    common = [*urls, "--game-duration", "4", "--game-allow", "not-entered", "-p", "no:randomly"]

    def shard(index: int) -> tuple[subprocess.CompletedProcess[str], dict[str, Any] | None]:
        extra = ["-n", "2", "--html=out/report.html"] if index == 1 else []  # shard 1 has two games
        return run_pytest([*common, "--game-shard", f"{index}/2", *extra], tmp_path / f"shard-{index}", timeout=150)

    with ThreadPoolExecutor(2) as pool:
        (proc1, results1), (proc2, results2) = pool.map(shard, (1, 2))
    expected = assign(GAME_IDS, 2)
    for index, (proc, results) in enumerate(((proc1, results1), (proc2, results2)), start=1):
        assert results is not None, proc.stdout[-3000:] + proc.stderr
        mine = sorted(n for n, s in expected.items() if s == index)
        assert sorted(t["nodeid"] for t in results["tests"]) == mine, proc.stdout[-3000:]
        assert f"gameqa shard {index}/2: {len(mine)} of 3 tests here" in proc.stdout
    shard_outcomes = {t["nodeid"]: t["outcome"] for r in (results1, results2) for t in r["tests"]}
    assert shard_outcomes[GAME_IDS[1]] == "failed"  # broken-page-error

    # shard 1 arrives as a downloaded CI artifact: somewhere else than where it ran
    shutil.move(tmp_path / "shard-1", tmp_path / "downloaded" / "gameqa-shard-1")
    merge = gameqa(tmp_path, "merge", "downloaded/gameqa-shard-1", "shard-2/out", "--into", "merged", timeout=60)
    assert merge.returncode == 1, merge.stdout + merge.stderr  # the broken game failed
    assert merge.stdout.startswith("gameqa merge: 3 games from 2 shards: 1 failed, 2 passed"), merge.stdout
    assert "issues: page-error" in merge.stdout and "Traceback" not in merge.stderr
    merged = json.loads((tmp_path / "merged" / "gameqa-results.json").read_text())
    assert {t["nodeid"]: t["outcome"] for t in merged["tests"]} == shard_outcomes  # every game exactly once
    for test in merged["tests"]:  # every path resolves from the merged file
        assert (tmp_path / "merged" / test["files"]["evidence"]).is_file(), test["files"]
        for action in test["actions"]:
            assert action["before"] is None or (tmp_path / "merged" / action["before"]).is_file()
    index = (tmp_path / "merged" / "index.html").read_text()
    links = re.findall(r'href="([^"]+)"', index)
    assert "../downloaded/gameqa-shard-1/out/report.html" in links
    assert all((tmp_path / "merged" / link).exists() for link in links), links

    # gameqa status / history / show on the merged store see both shards' games
    db = "merged/.gameqa/runs.sqlite"
    status = as_json(gameqa(tmp_path, "status", "--json", "--db", db))
    assert {r["nodeid"]: r["status"] for r in status["runs"]} == shard_outcomes
    history = as_json(gameqa(tmp_path, "history", "--json", "--db", db, str(games / "broken-page-error")))
    assert [r["status"] for r in history["runs"]] == ["failed"]
    moved = next(r for r in status["runs"] if expected[r["nodeid"]] == 1)
    show = gameqa(tmp_path, "show", moved["id"], "--db", db)
    assert "downloaded/gameqa-shard-1/out/" in show.stdout, show.stdout  # where its evidence is now
    assert Path(moved["artifacts_dir"]).is_dir()


def test_the_example_ci_matrix_runs_shards_and_merges_them() -> None:
    text = (Path(__file__).resolve().parent.parent / "examples" / "ci" / "github-actions-shards.yml").read_text()
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(text)
    shards, merge = workflow["jobs"]["shards"], workflow["jobs"]["merge"]
    assert shards["strategy"]["fail-fast"] is False
    count = len(shards["strategy"]["matrix"]["shard"])
    assert f"--game-shard ${{{{ matrix.shard }}}}/{count}" in json.dumps(shards["steps"])
    assert merge["needs"] == "shards" and "always()" in merge["if"]
    assert "gameqa merge" in json.dumps(merge["steps"])
