"""The document's operations, one module per API area; each has TAG and PATHS.

A new route, e.g. `GET /api/v1/templates/<int:template_id>` guarded by `token_required(Role.ADMIN)`,
gets an entry in its area's PATHS (a new module is listed in document.AREAS):

    "/api/v1/templates/{template_id}": {
        "get": operation(
            "templatesGet",                      # unique operationId
            "Шаблон письма",                     # Russian summary
            tag="templates",                     # a TAG of this module
            roles=(Role.ADMIN,),                 # exactly token_required's roles; () any role, None no token
            parameters=({"name": "template_id", "in": "path", "required": True,
                         "schema": {"type": "integer"}},),
            responses={200: ok("Шаблон.", ref("MessageTemplate"))},   # schemas.SCHEMAS or the module's
            errors=(404,),                       # 401/403 are added from roles, 409/422 by idempotent=True
        )
    },

Schemas only one area uses go in that module's SCHEMAS (merged into the document's components).
A 409 or 422 that does not come from Idempotency-Key gets its own answer in `responses`, e.g.
`422: ok("Шаблон не сохранён.", ref("TemplateRefused"))`, so its description says what it means.

A JSON body is `body=request_body(obj({...fields...}, ("required", "fields")), example)`: the
tests send the example with each required field removed, with an unknown field and with each
string one character over its maxLength, and expect the API's 400 naming that field. Path
parameters get values that name nothing (SIDE_EFFECT_FREE_PATH_VALUES in
tests/api_docs/test_schemas_match_the_code.py; a new parameter name needs one there): the route
checks the body before it looks the record up, so a bad body is a 400, a good one a harmless 404.
"""
