package dev.ferry.web;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's error report for a request it refuses before any Ferry code runs (an encoded {@code /} or a
 * NUL in the path, headers over the size limit), in the endpoint's format ({@link ErrorResponses})
 * instead of Tomcat's HTML page. Installed as the host's error report valve, so also without a stack
 * trace or server version, whatever else fails at that level.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        // As Tomcat's own: nothing for a success, an answer already written, or an error already reported.
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        try {
            ErrorResponses.writeStatus(request, response, status);
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // the client is gone, or the response cannot be written: nothing more to do
        }
    }
}
