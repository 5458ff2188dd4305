"""The API's edges: one JSON error shape, the body size limit, ``If-Match`` parsing."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework.exceptions import NotFound, ParseError, Throttled
from rest_framework.test import APIRequestFactory

from clientela.core.api.base import LimitedJSONParser, expected_version
from clientela.core.api.errors import PreconditionFailed, RequestTooLarge, exception_handler
from clientela.core.records import StaleRecord


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (
            DjangoValidationError({"email": ["Bad e-mail."]}),
            400,
            {
                "code": "invalid",
                "message": "The request has invalid fields.",
                "fields": {"email": ["Bad e-mail."]},
            },
        ),
        (
            DjangoValidationError("Not allowed here."),
            400,
            {
                "code": "invalid",
                "message": "The request has invalid fields.",
                "fields": {"non_field_errors": ["Not allowed here."]},
            },
        ),
        (
            StaleRecord("record"),
            412,
            {
                "code": "precondition_failed",
                "message": "The record was changed by someone else; read it again.",
                "fields": {},
            },
        ),
        (Http404(), 404, {"code": "not_found", "message": "Not found.", "fields": {}}),
        (NotFound(), 404, {"code": "not_found", "message": "Not found.", "fields": {}}),
        (
            PermissionDenied(),
            403,
            {
                "code": "permission_denied",
                "message": "You do not have permission to perform this action.",
                "fields": {},
            },
        ),
        (
            ParseError("JSON parse error - x"),
            400,
            {"code": "malformed", "message": "JSON parse error - x", "fields": {}},
        ),
        (
            RequestTooLarge(),
            413,
            {"code": "too_large", "message": "The request body is too large.", "fields": {}},
        ),
        (Throttled(wait=3), 429, None),
    ],
)
def test_every_error_has_code_message_and_fields(error, status, body):
    response = exception_handler(error, {})
    assert response.status_code == status
    if body is None:
        assert response.data["code"] == "throttled"
        assert set(response.data) == {"code", "message", "fields"}
    else:
        assert response.data == body


def test_errors_the_handler_does_not_know_are_left_to_django():
    assert exception_handler(KeyError("boom"), {}) is None


def test_the_parser_refuses_a_body_over_the_limit_even_without_content_length(settings):
    settings.API_MAX_BODY_BYTES = 20
    parser = LimitedJSONParser()
    assert parser.parse(io.BytesIO(b'{"a": "0123456789"}')) == {"a": "0123456789"}
    with pytest.raises(RequestTooLarge):
        parser.parse(io.BytesIO(b'{"a": "01234567890123456789"}'))


class Record:
    pk = 7


@pytest.mark.parametrize(
    ("header", "version"),
    [
        (None, None),
        ("", None),
        ("*", None),
        ('"7-3"', 3),
        ('W/"7-3"', 3),
        ('"6-9", "7-4"', 4),
        ("7-5", 5),
    ],
)
def test_if_match_names_the_expected_version(header, version):
    headers = {} if header is None else {"HTTP_IF_MATCH": header}
    request = APIRequestFactory().patch("/", **headers)
    assert expected_version(request, Record()) == version


@pytest.mark.parametrize("header", ['"8-3"', '"7-"', '"7-x"', "garbage", '"-3"', '"7-99999999999"'])
def test_if_match_that_cannot_match_this_record_is_412(header):
    request = APIRequestFactory().patch("/", HTTP_IF_MATCH=header)
    with pytest.raises(PreconditionFailed):
        expected_version(request, Record())


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/deals/?company=-1.7e128",
        "/api/v1/deals/?company=1e30",
        "/api/v1/purchases/?contact=99999999999999999999",
        "/api/v1/activities/?deal=1.5",
        "/api/v1/contacts/?company=0",
    ],
)
def test_record_ids_out_of_range_in_filters_are_a_400(admin_api, path):
    response = admin_api.get(path)
    assert response.status_code == 400
