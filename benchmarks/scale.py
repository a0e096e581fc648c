"""Scale benchmark of the cross-corpus run: per stage wall time and peak RSS on corpus sets of growing size.

For each size (default 1k, 5k and 20k clips, four corpora in the RAVDESS, CREMA-D, EmoDB and EMOVO
layouts) a temporary copy of the project gets corpora derived from the eSpeak synthetic corpora
(seeded gain, time shift and added noise, fresh speaker and utterance ids in each layout's naming), then
the real ``kedro run`` stages run one after another in subprocesses: ingestion, extraction (feature and
balanced-test nodes), matrix (the ``matrix``-tagged row nodes) and scoring (score + report). The process
tree of each stage is polled for its summed RSS. On one size the matrix stage is then rerun with
SequentialRunner, ParallelRunner and the project's DaskRunner (2-worker LocalCluster), each with a
fresh row cache. Results go to a JSON file and a markdown table, and ``--write-doc`` puts that table
into docs/performance.md between its marker comments::

    python benchmarks/scale.py --budget-check 256 --dask-diagnosis --write-doc   # 1k, 5k, 20k clips (~25 min)
    python benchmarks/scale.py --quick                  # tiny smoke run (a few minutes)

docs/performance.md has the results and how to read them.

All audio is synthetic (derived copies of eSpeak clips); the numbers measure the pipeline, not SER.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil
import soundfile as sf
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- scale-benchmark:begin -->", "<!-- scale-benchmark:end -->"
LAYOUTS = {"syn_ravdess": "ravdess", "syn_cremad": "cremad", "syn_emodb": "emodb", "syn_emovo": "emovo"}
LANGUAGES = {"syn_ravdess": "en", "syn_cremad": "es", "syn_emodb": "de", "syn_emovo": "it"}
PATTERNS = {
    "ravdess": re.compile(r"\d\d-\d\d-(\d\d)-\d\d-\d\d-\d\d-\d\d\.wav"),
    "cremad": re.compile(r"\d{4}_[A-Z]{3}_([A-Z]{3})_[A-Z]{2}\.wav"),
    "emodb": re.compile(r"\d\d[ab]\d\d([WLEAFTN])[a-z]\.wav"),
    "emovo": re.compile(r"([a-z]{3})-[fm]\d-[a-z]\d\.wav"),
}
SPEAKERS = 10
"""Derived speakers per corpus (EMOVO's ``[fm]\\d`` codes allow 20; 10 gives EmoBox's 4 speaker folds)."""
RUNNERS = {"sequential": "SequentialRunner", "parallel": "ParallelRunner",
           "dask": "ser_generalize.runners.DaskRunner"}
DIAGNOSIS = {"dask, MALLOC_TRIM_THRESHOLD_ unset": "ser_generalize.runners.DaskRunner",
             "sequential, MALLOC_TRIM_THRESHOLD_=65536": "SequentialRunner"}
"""``--dask-diagnosis`` runs: Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536`` (its
``distributed.nanny.pre-spawn-environ`` default); these runs take it away from Dask, and give it to sequential."""


def diagnosis_env(project: Path, name: str) -> dict[str, str]:
    """Environment of a ``DIAGNOSIS`` run: a Dask config dir unsetting the variable, or the variable itself."""
    if name.startswith("dask"):
        conf = project / "dask_config"
        conf.mkdir(exist_ok=True)
        (conf / "untrimmed.yaml").write_text(yaml.safe_dump(
            {"distributed": {"nanny": {"pre-spawn-environ": {"MALLOC_TRIM_THRESHOLD_": None}}}}))
        return {"DASK_CONFIG": str(conf)}
    return {"MALLOC_TRIM_THRESHOLD_": "65536"}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


# ----------------------------------------------------------------------------------------- corpora
def base_clips(raw: Path) -> dict[str, list[tuple[Path, str]]]:
    """(path, raw emotion code) of every base clip per corpus, parsed with the layout's file pattern."""
    out = {}
    for corpus, layout in LAYOUTS.items():
        clips = []
        for path in sorted((raw / corpus).rglob("*.wav")):
            m = PATTERNS[layout].fullmatch(path.name)
            if m:
                clips.append((path, m.group(1)))
        if not clips:
            raise SystemExit(f"no {layout}-named WAV under {raw / corpus}; generate the synthetic corpora first")
        out[corpus] = clips
    return out


def derived_name(layout: str, speaker: int, emotion: str, k: int) -> str:
    """Relative path of derived clip ``k`` of (speaker, emotion) in the layout's own naming scheme."""
    if layout == "ravdess":  # intensity/statement/repetition carry the counter (the adapter ignores them)
        a, b, c = k // 10000, (k // 100) % 100, k % 100
        return f"Actor_{speaker + 1:02d}/03-01-{emotion}-{a:02d}-{b:02d}-{c:02d}-{speaker + 1:02d}.wav"
    if layout == "cremad":
        sentence = "".join(LETTERS[(k // 26 ** i) % 26] for i in (2, 1, 0)).upper()
        return f"AudioWAV/{1001 + speaker}_{sentence}_{emotion}_XX.wav"
    if layout == "emodb":
        text = f"{'ab'[k // 2600 % 2]}{(k // 26) % 100:02d}"
        return f"wav/{speaker + 3:02d}{text}{emotion}{LETTERS[k % 26]}.wav"
    spk = f"{'fm'[speaker % 2]}{speaker // 2}"
    return f"{spk}/{emotion}-{spk}-{LETTERS[k // 10 % 26]}{k % 10}.wav"


def perturb(wave: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A seeded variant: gain -6..0 dB, 0-150 ms leading silence, white noise at 25-45 dB SNR."""
    shift = np.zeros(int(rng.uniform(0, 0.15) * sr), dtype=np.float32)
    out = np.concatenate([shift, wave.astype(np.float32)]) * np.float32(10 ** (rng.uniform(-6, 0) / 20))
    power = float(np.mean(out ** 2)) + 1e-12
    noise = rng.standard_normal(out.size).astype(np.float32) * np.float32(np.sqrt(power / 10 ** (rng.uniform(25, 45) / 10)))
    return np.clip(out + noise, -1.0, 1.0)


def derive_corpora(raw_base: Path, raw_out: Path, n_clips: int, seed: int = 0) -> dict[str, int]:
    """Write ``n_clips`` derived clips, a quarter per corpus, into ``raw_out`` in the four layouts."""
    counts = {}
    rng = np.random.default_rng(seed)
    for corpus, clips in base_clips(raw_base).items():
        layout, root, n = LAYOUTS[corpus], raw_out / corpus, n_clips // len(LAYOUTS)
        counters: dict[tuple[int, str], int] = {}
        cache: dict[Path, tuple[np.ndarray, int]] = {}
        for i in range(n):
            path, emotion = clips[i % len(clips)]
            speaker = (i // len(clips) + i) % SPEAKERS
            k = counters.get((speaker, emotion), 0)
            counters[(speaker, emotion)] = k + 1
            if path not in cache:
                cache[path] = sf.read(path, dtype="float32")
            wave, sr = cache[path]
            target = root / derived_name(layout, speaker, emotion, k)
            target.parent.mkdir(parents=True, exist_ok=True)
            sf.write(target, perturb(wave, sr, rng), sr, subtype="PCM_16")
        if layout == "cremad":
            pd.DataFrame({"ActorID": [1001 + s for s in range(SPEAKERS)],
                          "Sex": ["Male" if s % 2 else "Female" for s in range(SPEAKERS)]}).to_csv(
                root / "VideoDemographics.csv", index=False)
        (root / "SYNTHETIC.txt").write_text("Derived copies of eSpeak NG synthetic clips (benchmarks/scale.py).\n")
        counts[corpus] = n
    return counts


# ----------------------------------------------------------------------------------------- project
def copy_project(target: Path) -> Path:
    """Sources and base config of this project with its own conf/local and data/ (the real one is untouched)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copytree(ROOT / "conf" / "base", target / "conf" / "base")
    (target / "conf" / "local").mkdir()
    for name in ("pyproject.toml", ".telemetry"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, target / name)
    copy_sources(target)
    return target


def copy_sources(target: Path) -> None:
    """This checkout's ``src/`` into a project copy (again before a ``--reuse`` run measures anything there)."""
    shutil.rmtree(target / "src", ignore_errors=True)
    shutil.copytree(ROOT / "src", target / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))


def write_local(project: Path, key: str, value: Any) -> None:
    (project / "conf" / "local" / f"parameters_{key}.yml").write_text(yaml.safe_dump({key: value}))


def configure(project: Path, epochs: int) -> None:
    """Ingest the derived corpora (no synthesis) and run the matrix with logmel, one fold, one seed, few epochs."""
    write_local(project, "ingestion", {"synthesize_if_missing": False, "corpora": {
        c: {"adapter": layout, "root": f"data/01_raw/{c}", "language": LANGUAGES[c], "synthetic": True,
            "ood_eligible": c != "syn_cremad"} for c, layout in LAYOUTS.items()}})
    cross = yaml.safe_load((ROOT / "conf/base/parameters_cross_corpus.yml").read_text())["cross_corpus"]
    cross.update(backbones=["logmel"], folds=[0], seeds=[0],
                 head={**cross["head"], "epochs": epochs, "patience": epochs, "threads": 1})
    write_local(project, "cross_corpus", cross)


def base_raw(workdir: Path) -> Path:
    """The project's eSpeak corpora: data/01_raw/syn_* when present, else generated once in a project copy."""
    own = ROOT / "data/01_raw"
    if all((own / c).is_dir() and any((own / c).rglob("*.wav")) for c in LAYOUTS):
        return own
    project = workdir / "base_project"
    if not all((project / "data/01_raw" / c).exists() for c in LAYOUTS):
        copy_project(project)
        kedro(project, ["run", "--pipeline=ingestion"])
    return project / "data/01_raw"


# ----------------------------------------------------------------------------------------- measuring
def kedro(project: Path, args: list[str], poll_s: float = 0.1, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``kedro ARGS`` in ``project``; wall time, peak summed RSS of its process tree, peak single process."""
    env = {**os.environ, "DO_NOT_TRACK": "1", "KEDRO_DISABLE_TELEMETRY": "true", "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "MPLBACKEND": "Agg", "PYTHONPATH": str(project / "src"), **(extra_env or {})}
    log = project / "logs" / "benchmark.log"
    log.parent.mkdir(exist_ok=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    start = time.perf_counter()
    with log.open("a") as out:
        out.write(f"\n$ kedro {' '.join(args)}\n")
        offset = out.tell()
        out.flush()
        proc = subprocess.Popen([str(Path(sys.executable).parent / "kedro"), *args], cwd=project, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
        root = psutil.Process(proc.pid)
        tree_peak = proc_peak = anon_peak = 0
        while proc.poll() is None:
            total = anon = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        info = p.memory_info()
                    except psutil.Error:
                        continue
                    total += info.rss
                    anon += info.rss - getattr(info, "shared", 0)  # Linux: minus file-backed (mapped) pages
                    proc_peak = max(proc_peak, info.rss)
            except psutil.Error:
                pass
            tree_peak, anon_peak = max(tree_peak, total), max(anon_peak, anon)
            time.sleep(poll_s)
    wall = time.perf_counter() - start
    if proc.returncode:
        tail = log.read_text()[-4000:]
        raise SystemExit(f"kedro {' '.join(args)} failed in {project} (rc {proc.returncode}):\n{tail}")
    with log.open() as text:
        text.seek(offset)
        inner = re.findall(r"successfully in ([\d.]+) sec", text.read())
    return {"wall_s": round(wall, 2), "pipeline_s": float(inner[-1]) if inner else None,
            "peak_rss_mb": round(tree_peak / 2**20, 1), "peak_anon_rss_mb": round(anon_peak / 2**20, 1),
            "peak_process_rss_mb": round(proc_peak / 2**20, 1), "load_before": load}


def node_names(project: Path) -> dict[str, list[str]]:
    """Names of the feature and balanced-test nodes, and of the seed-0 row nodes (the scoring stage starts there)."""
    corpora = list(LAYOUTS)
    joint = yaml.safe_load((project / "conf/local/parameters_cross_corpus.yml").read_text())["cross_corpus"]["joint"]
    rows = corpora + [j["name"] for j in joint or []]
    return {"extraction": [f"{c}.extract_features_logmel" for c in corpora] + [f"{c}.balanced_test_set_f0"
                                                                                for c in corpora],
            "rows": [f"cross_corpus.train_row_logmel_f0_s0_{r}" for r in rows]}


def audio_seconds(project: Path) -> float:
    return float(sum(pd.read_parquet(project / "data/02_intermediate/manifests" / f"{c}.parquet")["duration_s"].sum()
                     for c in LAYOUTS))


def run_size(workdir: Path, raw_base: Path, n_clips: int, epochs: int) -> tuple[Path, dict[str, Any]]:
    """Derive the corpora (not timed), then time ingestion, extraction, matrix and scoring one by one."""
    project = copy_project(workdir / f"n{n_clips}")
    t = time.perf_counter()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    derive_corpora(raw_base, project / "data/01_raw", n_clips)
    print(f"[{n_clips}] derived corpora in {time.perf_counter() - t:.0f} s", flush=True)
    configure(project, epochs)
    names = node_names(project)
    cache = f"cross_corpus.row_cache_dir={project / 'rows_stages'}"
    stages = {"ingestion": kedro(project, ["run", "--pipeline=ingestion"])}
    print(f"[{n_clips}] ingestion {stages['ingestion']}", flush=True)
    stages["extraction"] = kedro(project, ["run", "--pipeline=cross_corpus", f"--nodes={','.join(names['extraction'])}"])
    print(f"[{n_clips}] extraction {stages['extraction']}", flush=True)
    stages["matrix"] = kedro(project, ["run", "--pipeline=cross_corpus", "--tags=matrix", f"--params={cache}"])
    print(f"[{n_clips}] matrix {stages['matrix']}", flush=True)
    # Row predictions are in-memory datasets: the scoring stage reruns the row nodes, which now only read
    # the row cache the matrix stage filled, then scores and writes the report.
    stages["scoring"] = kedro(project, ["run", "--pipeline=cross_corpus", f"--from-nodes={','.join(names['rows'])}",
                                       f"--params={cache}"])
    print(f"[{n_clips}] scoring {stages['scoring']}", flush=True)
    seconds = audio_seconds(project)
    cells = pd.read_csv(project / "data/08_reporting/cross_corpus/matrices/logmel.csv")
    return project, {
        "clips": n_clips, "measured": started, "epochs": epochs, "audio_hours": round(seconds / 3600, 2), "stages": stages,
        "extraction_audio_s_per_s": round(seconds / stages["extraction"]["wall_s"], 1),
        "cross_corpus_peak_rss_mb": max(stages[s]["peak_rss_mb"] for s in ("extraction", "matrix", "scoring")),
        "matrix_cells_filled": int(cells.drop(columns="train").notna().to_numpy().sum()),
    }


def runner_speedup(project: Path, seeds: list[int], epochs: int, runners: dict[str, str],
                   rounds: int = 1) -> dict[str, Any]:
    """Matrix stage alone with each runner (fresh row cache each), seeds x rows nodes, head.threads 1.

    The runners take turns, ``rounds`` times (sequential, parallel, dask, sequential, ...): each round's speedup
    divides that round's sequential time, so a slow spell of a shared machine affects both sides of a ratio.
    """
    local = project / "conf/local/parameters_cross_corpus.yml"
    cross = yaml.safe_load(local.read_text())["cross_corpus"]
    head = {**cross["head"], "epochs": epochs, "patience": epochs, "threads": 1}
    write_local(project, "cross_corpus", {**cross, "seeds": seeds, "head": head})  # lists: not via --params
    measured: list[dict[str, Any]] = []
    try:
        for r in range(rounds):
            out: dict[str, Any] = {}
            for i, (name, runner) in enumerate(runners.items()):
                params = f"--params=cross_corpus.row_cache_dir={project / f'rows_speedup_{r}_{i}_{time.time_ns()}'}"
                env = diagnosis_env(project, name) if name in DIAGNOSIS else None
                out[name] = kedro(project, ["run", "--pipeline=cross_corpus", "--tags=matrix", f"--runner={runner}",
                                            params], extra_env=env)
                print(f"[speedup] round {r + 1}/{rounds} {name} {out[name]}", flush=True)
            measured.append(_with_speedups(out))
    finally:
        write_local(project, "cross_corpus", cross)  # the stage runs' config again (one seed), e.g. for --budget-check
    return {"clips_dir": project.name, "seeds": seeds, "rounds": measured}


def _with_speedups(out: dict[str, Any]) -> dict[str, Any]:
    """One round's runs with their speedups over that round's sequential run (wall and pipeline time)."""
    base, inner = out["sequential"]["wall_s"], out["sequential"]["pipeline_s"]
    for m in out.values():
        m["speedup"] = round(base / m["wall_s"], 2)
        m["pipeline_speedup"] = round(inner / m["pipeline_s"], 2) if inner and m["pipeline_s"] else None
    return out


def speedup_rounds(speedup: dict[str, Any]) -> list[dict[str, Any]]:
    """The rounds of a runner comparison (results written before rounds existed hold one, under ``runners``)."""
    return speedup.get("rounds") or [speedup["runners"]]


def budget_check(workdir: Path, sizes: list[int], budget_mb: float) -> dict[str, Any]:
    """The matrix stage again on the smallest and largest set with ``head.memory_budget_mb`` = ``budget_mb``."""
    out = {}
    for n in sorted({min(sizes), max(sizes)}):
        project = workdir / f"n{n}"
        params = (f"--params=cross_corpus.row_cache_dir={project / 'rows_budget'},"
                  f"cross_corpus.head.memory_budget_mb={budget_mb}")
        out[str(n)] = kedro(project, ["run", "--pipeline=cross_corpus", "--tags=matrix", params])
        print(f"[budget {budget_mb} MB] {n} {out[str(n)]}", flush=True)
    return {"memory_budget_mb": budget_mb, "matrix": out}


# ----------------------------------------------------------------------------------------- report
def markdown(result: dict[str, Any]) -> str:
    """The results as markdown: the command, the machine, a stage table, the RSS growth and the speedups."""
    lines = [(f"Command: `{result['command']}` on {result['machine']}. All corpora are synthetic (derived copies "
             "of eSpeak NG clips). Wall s: the whole `kedro run` subprocess (start-up included); pipeline s: "
             "Kedro's own 'Pipeline execution completed' time. Peak RSS: the summed RSS of the process tree, "
             "polled every 0.1 s."), "",
             ("| clips | audio h | stage | wall s | pipeline s | peak RSS MB | peak RSS - file-backed MB "
             "| largest process MB | load before |"),
             "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for size in result["sizes"]:
        for stage, m in size["stages"].items():
            lines.append(f"| {size['clips']} | {size['audio_hours']} | {stage} | {m['wall_s']} | {m['pipeline_s']} | "
                         f"{m['peak_rss_mb']} | {m.get('peak_anon_rss_mb', 'n/a')} | {m['peak_process_rss_mb']} | "
                         f"{m['load_before']} |")
    lines += ["", ("| clips | measured | head epochs | extraction (s audio / s, wall) | cross_corpus peak RSS MB "
              "| matrix cells filled |"), "| ---: | --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {s['clips']} | {s['measured']} | {s['epochs']} | {s['extraction_audio_s_per_s']} | "
              f"{s['cross_corpus_peak_rss_mb']} | {s['matrix_cells_filled']} |" for s in result["sizes"]]
    if len(result["sizes"]) > 1:
        g = result["rss_growth"]
        lines += ["", (f"Peak RSS of the cross_corpus run (max over extraction, matrix, scoring): {g['small_mb']} MB "
                  f"at {g['small_clips']} clips, {g['large_mb']} MB at {g['large_clips']} clips: **{g['ratio']}x** "
                  f"while the audio grows {g['audio_ratio']}x (target: at most 1.5x).")]
    if result.get("speedup"):
        sp = result["speedup"]
        lines += ["", (f"Matrix stage alone, measured {sp['measured']}: {sp['clips']} clips, seeds {sp['seeds']}, "
                  f"{sp['nodes']} row nodes, {sp['epochs']} head epochs, `head.threads: 1`, a fresh row cache per "
                  f"run; the runners took turns, {len(speedup_rounds(sp))} round(s), each speedup over the "
                  "sequential run of its round (target: at least 1.6x):"), "",
                  ("| round | runner | wall s | speedup (wall) | pipeline s | speedup (pipeline) | peak RSS MB "
                  "| load before |"),
                  "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
        rounds = speedup_rounds(sp)
        lines += [f"| {r} | {n} | {m['wall_s']} | **{m['speedup']}x** | {m['pipeline_s']} | {m['pipeline_speedup']}x | "
                  f"{m['peak_rss_mb']} | {m['load_before']} |" for r, out in enumerate(rounds, 1) for n, m in out.items()]
        if len(rounds) > 1:
            summary = []
            for name in (n for n in rounds[0] if n != "sequential"):
                values = sorted(out[name]["speedup"] for out in rounds)
                summary.append(f"{name} **{statistics.median(values):g}x** (rounds: "
                               + ", ".join(f"{v:g}x" for v in values) + ")")
            lines += ["", f"Median speedup over {len(rounds)} rounds: " + "; ".join(summary) + "."]
    if result.get("budget_check"):
        b = result["budget_check"]
        lines += ["", f"Matrix stage again with `head.memory_budget_mb: {b['memory_budget_mb']}`:", "",
                  "| clips | wall s | peak RSS MB | peak RSS - file-backed MB |", "| ---: | ---: | ---: | ---: |"]
        lines += [f"| {n} | {m['wall_s']} | {m['peak_rss_mb']} | {m['peak_anon_rss_mb']} |"
                  for n, m in b["matrix"].items()]
    return "\n".join(lines) + "\n"


def write_doc(text: str) -> None:
    """Replace the block between the marker comments of docs/performance.md (atomically)."""
    doc = DOC.read_text()
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"{DOC} lacks the markers {BEGIN} / {END}; add them where the results go")
    head, rest = doc.split(BEGIN, 1)
    tmp = DOC.with_suffix(".tmp")
    tmp.write_text(f"{head}{BEGIN}\n{text}{END}{rest.split(END, 1)[1]}")
    tmp.replace(DOC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 5000, 20000],
                        help="total clips per corpus set (a quarter per corpus), comma-separated")
    parser.add_argument("--quick", action="store_true", help="tiny smoke run: 400 and 800 clips, 1 epoch")
    parser.add_argument("--epochs", type=int, default=3, help="head epochs (early stopping off)")
    parser.add_argument("--speedup-size", type=int, default=None,
                        help="set for the runner comparison (default: 5000 when measured, else the smallest)")
    parser.add_argument("--speedup-seeds", type=int, default=4, help="seeds of the runner comparison (x 5 rows)")
    parser.add_argument("--speedup-epochs", type=int, default=6, help="head epochs of the runner comparison")
    parser.add_argument("--speedup-rounds", type=int, default=3,
                        help="times the runners take turns in the comparison (the median speedup is reported)")
    parser.add_argument("--no-speedup", action="store_true")
    parser.add_argument("--dask-diagnosis", action="store_true",
                        help="add runs that show the cost of Dask's MALLOC_TRIM_THRESHOLD_ worker setting")
    parser.add_argument("--budget-check", type=float, default=None, metavar="MB",
                        help="rerun the matrix stage of the smallest and largest set with head.memory_budget_mb=MB")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ser_scale_benchmark"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/ser_scale_benchmark/result.json"))
    parser.add_argument("--write-doc", action="store_true", help=f"write the table into {DOC.relative_to(ROOT)}")
    parser.add_argument("--keep", action="store_true", help="keep the corpora of the temporary projects")
    parser.add_argument("--from-json", type=Path, default=None,
                        help="measure nothing: render an earlier run's --out JSON (with --write-doc: into the doc)")
    parser.add_argument("--reuse", action="store_true",
                        help="take a size's results from an earlier run's WORKDIR/size_N.json instead of rerunning it")
    args = parser.parse_args()
    if args.from_json:
        text = markdown(json.loads(args.from_json.read_text()))
        print(text)
        if args.write_doc:
            write_doc(text)
        return
    sizes, epochs = ([400, 800], 1) if args.quick else (args.sizes, args.epochs)
    args.workdir.mkdir(parents=True, exist_ok=True)
    raw = base_raw(args.workdir)
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": "python benchmarks/scale.py " + " ".join(sys.argv[1:]),
        "machine": f"{psutil.cpu_count()} CPU cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
                   f"{platform.machine()}, Python {platform.python_version()}",
        "epochs": epochs, "sizes": []}
    speedup_size = args.speedup_size or (5000 if 5000 in sizes else min(sizes))
    if args.quick:
        args.speedup_epochs = 1
    for n in sizes:
        saved, saved_speedup = args.workdir / f"size_{n}.json", args.workdir / f"speedup_{n}.json"
        project = args.workdir / f"n{n}"
        if args.reuse and saved.exists():
            print(f"[{n}] reusing {saved}", flush=True)
            size = json.loads(saved.read_text())
        else:
            project, size = run_size(args.workdir, raw, n, epochs)
            saved.write_text(json.dumps(size, indent=2))
            if not args.keep:
                shutil.rmtree(project / "data/01_raw", ignore_errors=True)
        result["sizes"].append(size)
        if n != speedup_size or args.no_speedup:
            continue
        runners = {**RUNNERS, **(DIAGNOSIS if args.dask_diagnosis else {})}
        previous = json.loads(saved_speedup.read_text()) if args.reuse and saved_speedup.exists() else None
        if previous and all(set(runners) <= set(out) for out in speedup_rounds(previous)) and len(
                speedup_rounds(previous)) >= args.speedup_rounds:
            result["speedup"] = previous
            continue
        if not (project / "data/04_feature").exists():
            raise SystemExit(f"{project} has no extracted features for the runner comparison; rerun without --reuse")
        copy_sources(project)  # a reused project copy would otherwise run the code of the earlier run
        seeds = list(range(args.speedup_seeds))
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        result["speedup"] = {**runner_speedup(project, seeds, args.speedup_epochs, runners, args.speedup_rounds),
                             "clips": n, "nodes": len(seeds) * 5, "epochs": args.speedup_epochs, "measured": when}
        saved_speedup.write_text(json.dumps(result["speedup"], indent=2))
    if args.budget_check:
        saved = args.workdir / f"budget_{args.budget_check:g}.json"
        if args.reuse and saved.exists():
            result["budget_check"] = json.loads(saved.read_text())
        else:
            result["budget_check"] = budget_check(args.workdir, sizes, args.budget_check)
            saved.write_text(json.dumps(result["budget_check"], indent=2))
    small, large = result["sizes"][0], result["sizes"][-1]
    result["rss_growth"] = {"small_clips": small["clips"], "large_clips": large["clips"],
                            "small_mb": small["cross_corpus_peak_rss_mb"], "large_mb": large["cross_corpus_peak_rss_mb"],
                            "ratio": round(large["cross_corpus_peak_rss_mb"] / small["cross_corpus_peak_rss_mb"], 2),
                            "audio_ratio": round(large["audio_hours"] / max(small["audio_hours"], 1e-9), 1)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    text = markdown(result)
    print(text)
    if args.write_doc:
        write_doc(text)


if __name__ == "__main__":
    main()
