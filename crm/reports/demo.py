"""An illustrative population baseline for the demo: made-up counts, labelled as such wherever they are shown.

The figures are shaped like a West Midlands authority's (roughly the right size, a mix of every category) but
are not ONS figures. They go through the same import as a real file, so the demo shows what one looks like.
"""

import csv
import io
import random

from sqlalchemy import select

from crm.core import audit
from crm.extensions import db
from crm.reports import service
from crm.reports.census import TABLES
from crm.reports.models import EXCLUDED, BaselineImport

# Made-up round populations for the seven constituent authorities.
POPULATIONS = {
    "Birmingham": 1_100_000,
    "Coventry": 340_000,
    "Dudley": 320_000,
    "Sandwell": 340_000,
    "Solihull": 210_000,
    "Walsall": 280_000,
    "Wolverhampton": 260_000,
}
# Relative sizes of each table's mapped categories; headings are the sum of the detail under them.
PROFILES = {
    "TS021": {
        "Asian, Asian British or Asian Welsh: Bangladeshi": 2,
        "Asian, Asian British or Asian Welsh: Chinese": 1,
        "Asian, Asian British or Asian Welsh: Indian": 6,
        "Asian, Asian British or Asian Welsh: Pakistani": 8,
        "Asian, Asian British or Asian Welsh: Other Asian": 2.5,
        "Black, Black British, Black Welsh, Caribbean or African: African": 3,
        "Black, Black British, Black Welsh, Caribbean or African: Caribbean": 2.5,
        "Black, Black British, Black Welsh, Caribbean or African: Other Black": 1,
        "Mixed or Multiple ethnic groups: White and Asian": 1,
        "Mixed or Multiple ethnic groups: White and Black African": 0.5,
        "Mixed or Multiple ethnic groups: White and Black Caribbean": 1.5,
        "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups": 0.8,
        "White: English, Welsh, Scottish, Northern Irish or British": 55,
        "White: Irish": 0.8,
        "White: Gypsy or Irish Traveller": 0.1,
        "White: Roma": 0.3,
        "White: Other White": 4,
        "Other ethnic group: Arab": 0.8,
        "Other ethnic group: Any other ethnic group": 1.5,
    },
    "TS007A": dict(
        zip(
            [label for label, _ in next(t for t in TABLES if t.code == "TS007A").categories],
            [6, 6.5, 6.5, 6.5, 6.5, 7, 7, 6.5, 6, 6, 6.5, 6, 5, 5, 4, 3, 2, 2],
            strict=True,
        )
    ),
    "TS008": {"Female": 51, "Male": 49},
    "TS030": {
        "No religion": 30,
        "Christian": 42,
        "Buddhist": 0.4,
        "Hindu": 2,
        "Jewish": 0.2,
        "Muslim": 15,
        "Sikh": 4,
        "Other religion": 0.6,
        "Not answered": 6,
    },
    "TS038": {
        "Disabled under the Equality Act: Day-to-day activities limited a lot": 8,
        "Disabled under the Equality Act: Day-to-day activities limited a little": 10,
        "Not disabled under the Equality Act: Has long term physical or mental health condition but "
        "day-to-day activities are not limited": 7,
        "Not disabled under the Equality Act: No long term physical or mental health conditions": 75,
    },
}


def _counts(code: str, population: int, rng: random.Random) -> dict[str, int]:
    weights = {label: weight * rng.uniform(0.6, 1.5) for label, weight in PROFILES[code].items()}
    scale = population / sum(weights.values())
    counts = {label: round(weight * scale) for label, weight in weights.items()}
    for label, mapped in next(table for table in TABLES if table.code == code).categories:
        if mapped == EXCLUDED:  # a heading: the detail under it; or "Does not apply": nobody
            counts[label] = sum(count for name, count in counts.items() if name.startswith(f"{label}: "))
    return counts


def illustrative_file(code: str, rng: random.Random) -> bytes:
    """An ONS bulk-style file of table `code` for the seven authorities."""
    table = next(table for table in TABLES if table.code == code)
    labels = [label for label, _ in table.categories]
    rows = []
    for area, population in POPULATIONS.items():
        counts = _counts(code, population, rng)
        total = sum(count for label, count in counts.items() if dict(table.categories)[label] != EXCLUDED)
        rows.append(["2021", area, "", total] + [counts.get(label, 0) for label in labels])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = ["date", "geography", "geography code", f"{table.variable}: {table.total_label}"]
    writer.writerow(header + [f"{table.variable}: {label}" for label in labels])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def seed_demo_baselines() -> bool:
    """Import the illustrative baseline once. Returns whether anything was created."""
    if db.session.scalar(select(BaselineImport.id).limit(1)) is not None:
        return False
    rng = random.Random(2021)
    for code in PROFILES:
        content = illustrative_file(code, rng)
        name = f"illustrative-census2021-{code.lower()}-demo.csv"
        service.import_baseline(audit.SYSTEM, name, content, illustrative=True)
    return True
