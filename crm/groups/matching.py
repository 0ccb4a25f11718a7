"""Near-duplicate groups on the register, by the one matching rule (crm/core/matching.py).

On PostgreSQL the register is asked with pg_trgm's `%` operator over the GIN trigram index on
community_group.match_key (migration 0014), with the threshold set for the transaction, and ordered by
similarity; on SQLite the unarchived groups' keys are compared in Python. Both give the same groups.
"""

from sqlalchemy import func, select, text

from crm.core.batches import batched
from crm.core.matching import TrigramIndex, match_key, similar, threshold
from crm.extensions import db
from crm.groups.models import CommunityGroup

__all__ = ["match_key", "similar", "similar_groups", "near_register_names"]


def _on_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _set_threshold() -> None:
    db.session.execute(
        text("SELECT set_config('pg_trgm.similarity_threshold', :threshold, true)"),
        {"threshold": str(threshold())},
    )


def similar_groups(
    name: str, exclude_id: int | None = None, limit: int = 5, archived: bool = False
) -> list[CommunityGroup]:
    """Groups whose names are near-duplicates of `name`, the most similar first (unarchived ones unless
    `archived`)."""
    key = match_key(name)
    if not key:
        return []
    query = select(CommunityGroup)
    if not archived:
        query = query.where(CommunityGroup.is_archived.is_(False))
    if exclude_id is not None:
        query = query.where(CommunityGroup.id != exclude_id)
    if _on_postgres():
        _set_threshold()
        score = func.similarity(CommunityGroup.match_key, key)
        return list(
            db.session.scalars(
                query.where(CommunityGroup.match_key.op("%")(key))
                .order_by(score.desc(), CommunityGroup.id)
                .limit(limit)
            )
        )
    keys = db.session.execute(query.with_only_columns(CommunityGroup.match_key, CommunityGroup.id)).all()
    ids = [group_id for _score, group_id in TrigramIndex(keys).near(key, limit)]
    groups = {g.id: g for g in db.session.scalars(select(CommunityGroup).where(CommunityGroup.id.in_(ids)))}
    return [groups[group_id] for group_id in ids]


def near_register_names(keys: list[str], batch: int = 1000) -> dict[str, str]:
    """For each match key, the name of the most similar unarchived group, if any is near: the import's check
    of every new row against the register, in one statement per `batch` keys on PostgreSQL."""
    return {key: name for key, (_id, name) in near_register_groups(keys, batch).items()}


def near_register_groups(keys: list[str], batch: int = 1000) -> dict[str, tuple[int, str]]:
    """For each match key, (id, name) of the most similar unarchived group, if any is near."""
    wanted = sorted({key for key in keys if key})
    if not wanted:
        return {}
    found: dict[str, tuple[int, str]] = {}
    if _on_postgres():
        _set_threshold()
        statement = text(
            """
            SELECT wanted.key, best.id, best.name
            FROM unnest(CAST(:keys AS text[])) AS wanted(key)
            CROSS JOIN LATERAL (
                SELECT g.id, g.name FROM community_group g
                WHERE NOT g.is_archived AND g.match_key % wanted.key
                ORDER BY similarity(g.match_key, wanted.key) DESC, g.id
                LIMIT 1
            ) best
            """
        )
        for keys in batched(wanted, batch):
            for key, group_id, name in db.session.execute(statement, {"keys": keys}):
                found[key] = (group_id, name)
        return found
    register = TrigramIndex(
        db.session.execute(
            select(CommunityGroup.match_key, CommunityGroup.id)
            .where(CommunityGroup.is_archived.is_(False))
            .order_by(CommunityGroup.id)
        ).all()
    )
    best_ids = {key: best[0][1] for key in wanted if (best := register.near(key, limit=1))}
    names = dict(
        db.session.execute(
            select(CommunityGroup.id, CommunityGroup.name).where(
                CommunityGroup.id.in_(set(best_ids.values()))
            )
        ).all()
    )
    return {key: (group_id, names[group_id]) for key, group_id in best_ids.items()}
