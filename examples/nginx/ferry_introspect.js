// auth_request handler: asks Ferry's /introspect about the request's bearer token (through the
// cached /_ferry_introspect location) and answers 204 (let it through), 401 (no active Ferry token
// for this service) or 403 (active, but without the scope the route needs). Anything else that
// goes wrong answers 500, which auth_request turns into a 500 for the client: it fails closed.
const crypto = require('crypto');

function bearerToken(r) {
    const match = /^Bearer ([A-Za-z0-9._~+\/-]+=*)$/.exec(r.headersIn['Authorization'] || '');
    return match ? match[1] : null;
}

async function authorize(r) {
    const token = bearerToken(r);
    if (token === null) {
        r.return(401);
        return;
    }
    let reply;
    try {
        reply = await r.subrequest('/_ferry_introspect', {
            method: 'POST',
            // the cache key: a hash of the token, so the token itself is never written to disk
            args: 'key=' + crypto.createHash('sha256').update(token).digest('hex'),
            body: 'token=' + encodeURIComponent(token),
        });
    } catch (e) {
        r.error('Ferry introspection failed: ' + e);
        r.return(500);
        return;
    }
    if (reply.status !== 200) {
        r.error('Ferry introspection answered HTTP ' + reply.status);
        r.return(500);
        return;
    }
    let answer;
    try {
        answer = JSON.parse(reply.responseText);
    } catch (e) {
        r.error('Ferry introspection answer is not JSON');
        r.return(500);
        return;
    }
    const audiences = Array.isArray(answer.aud) ? answer.aud : [answer.aud];
    if (answer.active !== true || audiences.indexOf(r.variables.ferry_audience) < 0) {
        r.return(401);
        return;
    }
    const scopes = typeof answer.scope === 'string' ? answer.scope.split(' ') : [];
    if (scopes.indexOf(r.variables.ferry_scope) < 0) {
        r.return(403);
        return;
    }
    r.headersOut['Ferry-Subject'] = answer.sub;
    r.return(204);
}

export default {authorize};
