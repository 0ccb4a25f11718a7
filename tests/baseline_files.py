"""Census 2021 files as ONS and Nomis publish them, built for tests: small, with made-up counts."""

import csv
import io

from crm.reports.census import TABLES

DEFINITIONS = {table.code: table for table in TABLES}


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def ons_file(code: str, areas: dict[tuple[str, str], dict[str, object]], with_total: bool = True) -> bytes:
    """An ONS bulk file (wide) of table `code`: {(area name, GSS code): {category label: count}}. The total
    column holds the sum of the mapped categories unless a count is given for it."""
    table = DEFINITIONS[code]
    labels = [label for label in next(iter(areas.values())) if label != "total"]
    header = ["date", "geography", "geography code"]
    header += [f"{table.variable}: {table.total_label}"] if with_total else []
    header += [f"{table.variable}: {label}" for label in labels]
    rows = [header]
    for (name, gss), counts in areas.items():
        total = counts["total"] if "total" in counts else _mapped_sum(code, counts)
        row = ["2021", name, gss] + ([total] if with_total else [])
        rows.append(row + [counts[label] for label in labels])
    return _csv(rows)


def nomis_file(code: str, areas: dict[tuple[str, str], dict[str, object]], with_total: bool = True) -> bytes:
    """A Nomis custom download (long) of table `code`, with a line about the dataset above the columns."""
    table = DEFINITIONS[code]
    variable = f"{table.variable} ({len(table.categories)} categories)"
    rows = [
        ["Census 2021 topic summary, made up for a test"],
        [
            "Lower tier local authorities Code",
            "Lower tier local authorities",
            f"{variable} Code",
            variable,
            "Observation",
        ],
    ]
    for (name, gss), counts in areas.items():
        if with_total:
            rows.append(
                [
                    gss,
                    name,
                    "0",
                    table.total_label,
                    counts["total"] if "total" in counts else _mapped_sum(code, counts),
                ]
            )
        for number, (label, count) in enumerate(counts.items(), start=1):
            if label != "total":
                rows.append([gss, name, str(number), label, count])
    return _csv(rows)


def _mapped_sum(code: str, counts: dict) -> int:
    excluded = {label for label, mapped in DEFINITIONS[code].categories if mapped == "excluded"}
    return sum(int(count) for label, count in counts.items() if label not in excluded and label != "total")


WALSALL = ("Walsall", "E08000030")
DUDLEY = ("Dudley", "E08000027")


def sex_counts(female=100, male=90, **extra) -> dict:
    return {"Female": female, "Male": male, **extra}
