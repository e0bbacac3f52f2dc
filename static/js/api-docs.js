// Swagger UI for the portal's API page: no inline script (the CSP allows only 'self'),
// no online validator, nothing loaded from outside the hub.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) {
    return;
  }
  root.textContent = "";
  window.SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    displayOperationId: false,
    displayRequestDuration: true,
    filter: true,
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
});
