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
            responses={200: ok("Шаблон.", ref("MessageTemplate"))},   # schemas in schemas.SCHEMAS
            errors=(404,),                       # 401/403 are added from roles, 409/422 by idempotent=True
        )
    },

A JSON body is `body=request_body(obj({...fields...}, ("required", "fields")), example)`: the
tests send the example with each required field removed, with an unknown field and with each
string one character over its maxLength, and expect the API's 400 naming that field.
"""
