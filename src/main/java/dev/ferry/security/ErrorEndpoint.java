package dev.ferry.security;

import dev.ferry.exchange.OAuthEndpointErrors;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The error page for errors raised outside Spring MVC's handlers (a TRACE, a malformed chunked body):
 * in place of Spring Boot's {@code {timestamp, status, error, path}}, the failed endpoint's format
 * ({@link ErrorResponses}): RFC 6749 JSON for the OAuth endpoints, problem details for the rest.
 */
@Hidden
@RestController
class ErrorEndpoint implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer value && value >= 400 ? value : HttpStatus.NOT_FOUND.value();
        HttpStatus known = HttpStatus.resolve(status);
        String reason = known != null ? known.getReasonPhrase() : "Error";
        boolean postOnly = status == HttpStatus.METHOD_NOT_ALLOWED.value() && OAuthEndpointErrors.isFor(request);
        if (postOnly) {
            response.setHeader(HttpHeaders.ALLOW, "POST"); // Tomcat's lists the servlet's methods, not the endpoint's
        }
        String detail = postOnly ? "use POST with an application/x-www-form-urlencoded body"
                : status == HttpStatus.UNAUTHORIZED.value() ? "client authentication failed"
                : status == HttpStatus.BAD_REQUEST.value() ? "the request is malformed"
                : reason;
        ErrorResponses.write(request, response, status,
                status == HttpStatus.BAD_REQUEST.value() ? "urn:ferry:problem:malformed-request" : "about:blank",
                status == HttpStatus.BAD_REQUEST.value() ? "Malformed request" : reason, detail, null);
    }
}
