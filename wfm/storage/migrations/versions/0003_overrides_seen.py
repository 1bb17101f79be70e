"""Demand overrides of a week, and the published version each user last saw.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "demand_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(length=100), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=False),
        sa.Column("factor", sa.Double(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenarios.id"],
                                name=op.f("fk_demand_overrides_scenario_id_scenarios"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_overrides")),
    )
    op.create_index(op.f("ix_demand_overrides_scenario_id"), "demand_overrides", ["scenario_id"])
    op.create_table(
        "roster_seen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_roster_seen_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenarios.id"], name=op.f("fk_roster_seen_scenario_id_scenarios"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["roster_versions.id"],
                                name=op.f("fk_roster_seen_version_id_roster_versions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_seen")),
        sa.UniqueConstraint("user_id", "scenario_id", name=op.f("uq_roster_seen_user_id")),
    )


def downgrade() -> None:
    for table in ("roster_seen", "demand_overrides"):
        op.drop_table(table)
