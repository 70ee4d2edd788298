from __future__ import annotations

from rest_framework import serializers

from partners.models import User


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "language", "is_regional_monitor"]
