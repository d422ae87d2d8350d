"""`python -m bench.xlsx_memory DATABASE_URL ROWS`: write the realisations Excel file of ROWS rows
as the report job does (services.reports.write_xlsx) in this fresh process, and print one JSON
line: rows, seconds, the process's peak RSS before and after writing, and the file's size.

A process of its own per size, because peak RSS only grows: measured in the harness's process
it would show the harness's own peak. The rows are the realisations of the authorities, biggest
first, read with the export's own query, as many as asked (the benchmark's biggest authority
has ≈ 85,000, so 100,000 rows take in the next one's)."""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from datetime import date
from itertools import chain, islice
from pathlib import Path

from sqlalchemy import func, select

from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import Contract, Organisation, Realisation
from marketplace.services import reports


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _authorities_biggest_first() -> list[Organisation]:
    sizes = (
        select(Contract.authority_id, func.count(Realisation.id).label("n"))
        .join(Realisation, Realisation.contract_id == Contract.id)
        .group_by(Contract.authority_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(Organisation)
            .join(sizes, sizes.c.authority_id == Organisation.id)
            .order_by(sizes.c.n.desc())
        )
    )


def main(url: str, rows: int) -> dict[str, float | int]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None})
    with app.app_context(), tempfile.TemporaryDirectory(prefix="sr-bench-xlsx-") as folder:
        today = date.today()
        tables = [reports.realisations_table(a, today) for a in _authorities_biggest_first()]
        table = tables[0]
        sources = [t.rows for t in tables]
        written_rows = 0

        def counted():
            nonlocal written_rows
            for row in islice(chain.from_iterable(sources), rows):
                written_rows += 1
                yield row

        table.rows, table.count = counted(), lambda: rows
        before = _peak_rss_mb()
        target = Path(folder) / "realisaties.xlsx"
        updates: list[int] = []
        start = time.perf_counter()
        reports.write_xlsx(table, target, updates.append)
        seconds = time.perf_counter() - start
        return {
            "rows": written_rows,
            "seconds": round(seconds, 2),
            "max_rss_before_mb": before,
            "max_rss_mb": _peak_rss_mb(),
            "file_kb": target.stat().st_size // 1024,
            "progress_updates": len(updates),
        }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
