"""OpenAPI generation: every operation documents the JSON error body it may answer with."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer (see ``clientela.core.api.errors``)."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `invalid`.")
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field; empty when the error is not about fields.",
    )

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    "400": "Invalid input (see `fields`) or malformed JSON.",
    "401": "Missing, invalid, expired or revoked token.",
    "403": "The role does not allow this.",
    "404": "No such record, or not in the caller's scope.",
    "412": "`If-Match` does not match the current version (ETag).",
    "413": "The request body is larger than the limit (1 MB).",
    "415": "The body is not JSON.",
}


class ClientelaAutoSchema(AutoSchema):
    """Adds the error answers of each operation, all with the shared ``Error`` body."""

    def error_codes(self):
        codes = ["400", "401", "403"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        if "{" in self.path:
            codes.append("404")
        if getattr(self.view, "uses_etags", False) and self.method in ("PUT", "PATCH", "DELETE"):
            codes.append("412")
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        for code in self.error_codes():
            responses.setdefault(
                code,
                {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": error}},
                },
            )
        return responses


def _describe_tag_filter():
    """``tag`` filters on ``tags__name`` with ``to_field_name="name"``: right at run time, but the
    generator cannot follow that path (it looks for ``tags__name__name``). Say it is a string."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import extend_schema_field

    from clientela.core.filtersets import RecordFilterSet

    extend_schema_field(OpenApiTypes.STR)(RecordFilterSet.declared_filters["tag"])


_describe_tag_filter()
