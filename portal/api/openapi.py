"""GET /api/v1/openapi.json: the API's own description, open to anyone (it holds no secrets)."""

from flask import jsonify

from portal.api import bp


@bp.get("/openapi.json")
def openapi_json():
    from portal.api_docs.document import openapi_document  # it reads the API modules' constants

    response = jsonify(openapi_document())
    response.headers["Cache-Control"] = "no-cache"
    return response
