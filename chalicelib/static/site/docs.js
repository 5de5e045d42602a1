// The REST docs page: Swagger UI over the workspace's OpenAPI documents (core or metadata),
// fetched with the page's API key. URLs are relative to the page, so the page works under API
// Gateway's stage path (/api/docs loads /api/rest/open-api/core) as well as locally.
(function () {
  'use strict';

  var select = document.getElementById('crm-document');

  function withKey(request) {
    var headers = window.crmApiKey.authorization();
    // A key given in Swagger UI's own "Authorize" dialog wins over the page's.
    if (headers.Authorization && !request.headers.Authorization) {
      request.headers.Authorization = headers.Authorization;
    }
    return request;
  }

  function render() {
    window.SwaggerUIBundle({
      url: new URL(select.value, document.baseURI).href,
      dom_id: '#swagger-ui',
      presets: [window.SwaggerUIBundle.presets.apis],
      layout: 'BaseLayout',
      deepLinking: false,
      validatorUrl: null, // no badge fetched from validator.swagger.io: nothing leaves the app
      requestInterceptor: withKey,
      docExpansion: 'none',
      defaultModelsExpandDepth: 0,
    });
  }

  select.addEventListener('change', render);
  window.crmApiKey.onChange(render);
  render();
})();
