"""Back-test the reorder forecast on the online-retail history: rolling origin, weekly.

Weekly demand per stock code is read from the data set (positive lines of
invoices that are not cancellations, postage and other non-product codes
left out; weeks start on Monday, the last, incomplete week dropped). At
every origin from week ``--warm-up`` on, each method forecasts from the
weeks before the origin only, for every product that has sold before it;
the errors are summed over products and origins:

- one week ahead: |forecast - next week's demand|;
- over a lead time of ``--horizon`` weeks: |horizon x forecast - demand of
  the next ``horizon`` weeks| (what a reorder quantity depends on).

WAPE is the summed absolute error over the summed demand (lower is better);
bias is the summed error over the summed demand (negative: under-forecast).
The naive forecast (next week = last week) is the baseline of the same run.

    .venv/bin/python bench/forecast.py [--file shared/data/online-retail.csv.gz]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import gzip
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from inventory import forecast  # noqa: E402

DEFAULT_FILE = ROOT.parent / "shared" / "data" / "online-retail.csv.gz"
NOT_PRODUCTS = {
    "POST",
    "DOT",
    "C2",
    "M",
    "D",
    "S",
    "B",
    "BANK CHARGES",
    "AMAZONFEE",
    "CRUK",
    "PADS",
}


def weekly_demand(path: Path) -> tuple[list[datetime.date], dict[str, list[int]]]:
    """Return the Mondays of the full weeks and each stock code's units per week."""
    opener = gzip.open if path.suffix == ".gz" else open
    per_code: dict[str, dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    days: dict[str, datetime.date] = {}
    last_day = None
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["StockCode"].strip().upper()
            if row["InvoiceNo"].startswith("C") or code in NOT_PRODUCTS:
                continue
            quantity = int(row["Quantity"])
            if quantity <= 0:
                continue
            raw_day = row["InvoiceDate"][:10]
            day = days.get(raw_day)
            if day is None:
                day = days[raw_day] = _parse_day(row["InvoiceDate"])
            monday = day - datetime.timedelta(days=day.weekday())
            per_code[code][monday] += quantity
            last_day = max(last_day or day, day)
    first = min(min(weeks) for weeks in per_code.values())
    last_full = last_day - datetime.timedelta(days=last_day.weekday())
    if last_day.weekday() < 6:  # the last week is incomplete
        last_full -= datetime.timedelta(days=7)
    mondays = []
    monday = first
    while monday <= last_full:
        mondays.append(monday)
        monday += datetime.timedelta(days=7)
    series = {code: [weeks.get(m, 0) for m in mondays] for code, weeks in per_code.items()}
    return mondays, series


def _parse_day(raw: str) -> datetime.date:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M"):
        try:
            return datetime.datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"Unreadable date {raw!r}")


def one_step(method: str, history: list[int]) -> list[float | None]:
    """Return, for each week, the method's forecast made from the weeks before it."""
    out: list[float | None] = [None]
    level = None
    for index, value in enumerate(history):
        if method == "naive":
            out.append(float(value))
        elif method == "ma8":
            window = history[max(0, index - 7) : index + 1]
            out.append(sum(window) / len(window))
        elif method.startswith("ses"):
            alpha = float(method[3:])
            level = float(value) if level is None else level + alpha * (value - level)
            out.append(level)
    return out[: len(history)]


def croston_steps(history: list[int], alpha: float) -> list[float | None]:
    """Croston's method with the Syntetos-Boylan correction, for intermittent demand."""
    out: list[float | None] = []
    size = gap = None
    since = 0
    for value in history:
        out.append(None if size is None else (1 - alpha / 2) * size / gap)
        since += 1
        if value <= 0:
            continue
        if size is None:
            size, gap = float(value), float(since)
        else:
            size += alpha * (value - size)
            gap += alpha * (since - gap)
        since = 0
    return out


def used_steps(history: list[int]) -> list[float | None]:
    return list(forecast.smoothing_steps(history))[: len(history)]


METHODS = {
    "naive (last week)": lambda h: one_step("naive", h),
    "moving average, 8 weeks": lambda h: one_step("ma8", h),
    "exponential smoothing a=0.1": lambda h: one_step("ses0.1", h),
    "exponential smoothing a=0.3": lambda h: one_step("ses0.3", h),
    "exponential smoothing a=0.4": lambda h: one_step("ses0.4", h),
    "Croston SBA a=0.1": lambda h: croston_steps(h, 0.1),
    "Croston SBA a=0.2": lambda h: croston_steps(h, 0.2),
    f"exponential smoothing a={forecast.ALPHA} (used)": used_steps,
}


def backtest(series: dict[str, list[int]], *, warm_up: int, horizon: int) -> dict[str, dict]:
    """Sum each method's errors over every product and origin."""
    totals = {name: defaultdict(float) for name in METHODS}
    for history in series.values():
        weeks = len(history)
        first_sale = next((i for i, v in enumerate(history) if v > 0), weeks)
        for name, method in METHODS.items():
            steps = method(history)
            total = totals[name]
            for origin in range(max(warm_up, first_sale + 1), weeks):
                guess = steps[origin] or 0.0
                actual = history[origin]
                total["abs1"] += abs(guess - actual)
                total["err1"] += guess - actual
                total["demand1"] += actual
                total["points"] += 1
                if origin + horizon <= weeks:
                    later = sum(history[origin : origin + horizon])
                    total["absh"] += abs(guess * horizon - later)
                    total["errh"] += guess * horizon - later
                    total["demandh"] += later
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--warm-up", type=int, default=13, help="weeks before the first origin")
    parser.add_argument("--horizon", type=int, default=4, help="lead time in weeks")
    args = parser.parse_args()

    started = time.perf_counter()
    mondays, series = weekly_demand(args.file)
    read = time.perf_counter() - started
    print(
        f"{len(series):,} stock codes, {len(mondays)} full weeks "
        f"({mondays[0]} to {mondays[-1] + datetime.timedelta(days=6)}), read in {read:.1f} s"
    )
    started = time.perf_counter()
    totals = backtest(series, warm_up=args.warm_up, horizon=args.horizon)
    print(
        f"origins from week {args.warm_up + 1}; "
        f"{int(totals['naive (last week)']['points']):,} product-weeks forecast "
        f"in {time.perf_counter() - started:.1f} s\n"
    )
    base = totals["naive (last week)"]
    print(
        f"{'method':34} {'WAPE 1 wk':>10} {'bias 1 wk':>10} "
        f"{'WAPE ' + str(args.horizon) + ' wk':>10} {'bias':>8} {'vs naive':>9}"
    )
    for name, t in totals.items():
        wape1 = t["abs1"] / t["demand1"]
        wapeh = t["absh"] / t["demandh"]
        print(
            f"{name:34} {wape1:10.1%} {t['err1'] / t['demand1']:10.1%} "
            f"{wapeh:10.1%} {t['errh'] / t['demandh']:8.1%} "
            f"{wapeh / (base['absh'] / base['demandh']):9.2f}x"
        )


if __name__ == "__main__":
    main()
