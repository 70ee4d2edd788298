"""The live channel of DESIGN §6. A push is a hint; the Notification rows are the record."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications.groups import groups_for_user, session_group, token_group

# Close codes in the 4000 range are ours.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_REVOKED = 4403


@database_sync_to_async
def _fresh_groups(user: Any) -> list[str]:
    user.refresh_from_db(fields=["is_active"])
    return groups_for_user(user)


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]
    # The group of the credential that opened this socket (its browser session or its API token): signing out
    # of that session or revoking that token closes this socket, and only this user's sockets of it.
    own_groups: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        self.own_groups = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            # Refuse before accepting: the handshake fails with 403 and nothing is ever sent.
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        digest = self.scope.get("auth_token_digest")
        session = self.scope.get("session")
        if digest:
            self.own_groups = [token_group(digest)]
        elif session is not None and session.session_key:
            self.own_groups = [session_group(session.session_key)]
        await self._join(await _fresh_groups(user))
        await self.accept()

    async def _join(self, groups: list[str]) -> None:
        if groups:
            groups = [*groups, *self.own_groups]
        for group in set(self.groups_joined) - set(groups):
            await self.channel_layer.group_discard(group, self.channel_name)
        for group in set(groups) - set(self.groups_joined):
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups

    async def disconnect(self, code: int) -> None:
        await self._join([])

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # Clients only listen; a ping keeps proxies from closing an idle socket.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notification_message(self, event: dict[str, Any]) -> None:
        """Handler for group_send(..., {"type": "notification.message", ...})."""
        await self.send_json(
            {
                "type": "notification",
                "id": event.get("id"),
                "kind": event.get("kind"),
                "object": event.get("object"),
                "text": event.get("text"),
            }
        )

    async def refresh_hint(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "refresh", "topic": event.get("topic")})

    async def groups_refresh(self, event: dict[str, Any]) -> None:
        """A membership changed: leave and join groups to match; close if the user was deactivated."""
        groups = await _fresh_groups(self.scope["user"])
        if not groups:
            await self.session_revoke(event)
            return
        await self._join(groups)

    async def session_revoke(self, event: dict[str, Any]) -> None:
        await self._join([])
        await self.close(code=CLOSE_REVOKED)
