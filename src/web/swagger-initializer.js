// Starts Swagger UI on /docs. Kept out of docs.html so the page needs no inline script.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Keep the bearer token entered through "Authorize" across page reloads.
    persistAuthorization: true,
    // The default validator badge loads an image from a public host; /docs must work offline
    // and leak nothing, so it is off.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
