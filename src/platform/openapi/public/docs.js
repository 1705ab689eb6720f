/* global SwaggerUIBundle */
// Loads the viewer from an external file: the Content-Security-Policy allows no inline script.
// validatorUrl null: Swagger UI would otherwise send the document to a public validator.
SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
