package dev.ferry.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The answer to a database outage, for every endpoint but {@code /token} (which answers it itself,
 * in its own format): 503 with {@code Retry-After}, not a 500. It wraps the security filters because
 * the outage may strike there first (an introspection client's lookup, an admin token's revocation
 * check); the admin API's exception handler passes such failures on to it. The answer is in the
 * endpoint's format ({@link ErrorResponses}).
 */
public final class DatabaseUnavailableFilter extends OncePerRequestFilter {

    /** Seconds until a retry: the connection pool waits up to 5 s for a connection. */
    static final String RETRY_AFTER_SECONDS = "5";

    private static final Logger log = LoggerFactory.getLogger(DatabaseUnavailableFilter.class);

    /**
     * {@code e}, or the first of its causes, that says the database cannot be reached (as opposed to
     * refusing a statement); else null.
     */
    public static Throwable outage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DataAccessResourceFailureException
                    || t instanceof TransientDataAccessResourceException
                    || t instanceof RecoverableDataAccessException
                    || t instanceof QueryTimeoutException
                    || t instanceof CannotCreateTransactionException) {
                return t;
            }
        }
        return null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (RuntimeException | ServletException | IOException e) {
            Throwable outage = outage(e);
            if (outage == null || response.isCommitted()) {
                throw e;
            }
            // The class only: a driver's message may quote the statement and its parameters.
            log.warn(
                    "{} {} answered 503: the database cannot be reached ({})",
                    request.getMethod(),
                    request.getRequestURI(),
                    outage.getClass().getName());
            ErrorResponses.write(
                    request,
                    response,
                    HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "urn:ferry:problem:unavailable",
                    "Service unavailable",
                    "Ferry's database cannot be reached; retry later",
                    RETRY_AFTER_SECONDS);
        }
    }
}
