"""The live channel of DESIGN §6. A push is a hint; the Notification rows are the record."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications.groups import groups_for_user

# Close codes in the 4000 range are ours: 4401 = not signed in.
CLOSE_UNAUTHENTICATED = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            # Refuse before accepting: the handshake fails with 403 and nothing is ever sent.
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.groups_joined = await database_sync_to_async(groups_for_user)(user)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

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

    async def session_revoke(self, event: dict[str, Any]) -> None:
        """Sent to a user's own group when they are deactivated: close the socket."""
        await self.close(code=4403)
