package dev.ferry.web;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
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
        ErrorResponses.writeStatus(
                request,
                response,
                code instanceof Integer status && status >= 400 ? status : HttpStatus.NOT_FOUND.value());
    }
}
