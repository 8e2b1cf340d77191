"""Persistence of people: an organisation's Identity Platform tenant, its members and their roles, and the
principal a verified ID token stands for."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.auth.id_tokens import Identity
from shared.auth.principal import Forbidden, Principal, Role, Unauthenticated
from shared.db.api_keys import ensure_organization
from shared.db.models import Member, Organization, utcnow
from shared.errors import Conflict, NotFound


def set_tenant(session: Session, organization_id: str, tenant: str) -> Organization:
    owner = session.scalar(select(Organization).where(Organization.identity_tenant == tenant))
    if owner is not None and owner.id != organization_id:
        raise Conflict(f"tenant {tenant} already signs people in to organisation {owner.id}")
    organization = ensure_organization(session, organization_id)
    organization.identity_tenant = tenant
    session.flush()
    return organization


def add_member(
    session: Session, organization_id: str, user_id: str, role: Role, email: str | None = None
) -> Member:
    """Add a person, or change the role of one already there."""
    ensure_organization(session, organization_id)
    member = session.get(Member, (organization_id, user_id))
    if member is None:
        member = Member(organization_id=organization_id, user_id=user_id, created_at=utcnow())
        session.add(member)
    member.role, member.email = role.value, email or member.email
    session.flush()
    return member


def remove_member(session: Session, organization_id: str, user_id: str) -> None:
    member = session.get(Member, (organization_id, user_id))
    if member is None:
        raise NotFound(f"{user_id} is not a member of {organization_id}")
    session.delete(member)
    session.flush()


def list_members(session: Session, organization_id: str) -> list[Member]:
    return list(
        session.scalars(
            select(Member).where(Member.organization_id == organization_id).order_by(Member.user_id)
        )
    )


def person(session: Session, identity: Identity) -> Principal:
    """The principal of a signed-in person: the organisation their token's tenant belongs to, and their role
    there. A tenant no organisation signs in through is 401; a person who is not a member is 403."""
    organization = (
        session.scalar(select(Organization).where(Organization.identity_tenant == identity.tenant))
        if identity.tenant
        else None
    )
    if organization is None:
        raise Unauthenticated("the token's tenant signs in to no organisation here")
    member = session.get(Member, (organization.id, identity.user_id))
    if member is None:
        raise Forbidden(f"you are signed in, but not a member of {organization.id}: ask its owner")
    return Principal(organization.id, identity.user_id, frozenset({Role(member.role)}), "id_token")
