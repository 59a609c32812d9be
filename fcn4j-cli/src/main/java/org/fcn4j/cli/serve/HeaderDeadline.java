package org.fcn4j.cli.serve;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Closes connections that have not sent a whole request line and headers within the timeout: from the
 * connection's opening for its first request, from the request's first byte for later ones on a kept-alive
 * connection. Jetty has no such deadline, and its idle timeout does not stop a client trickling a byte every
 * few seconds (a slowloris), so this sweeps the connector's connections a few times per timeout.
 *
 * <p>Reading where a request is needs Jetty's HTTP/1.1 connection class, in an internal package; its parser
 * state is volatile and is read before the request count and start time it was written after, so the sweep
 * sees them consistently without a lock.
 */
final class HeaderDeadline extends AbstractLifeCycle {
    private final AbstractConnector connector;
    private final long timeoutNanos;
    private final long periodMillis;
    private volatile Scheduler.Task next;

    HeaderDeadline(AbstractConnector connector, Duration timeout) {
        this.connector = connector;
        this.timeoutNanos = timeout.toNanos();
        // closes within a quarter of the timeout past it, a second at most
        this.periodMillis = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
    }

    @Override
    protected void doStart() {
        schedule();
    }

    @Override
    protected void doStop() {
        Scheduler.Task task = next;
        if (task != null) {
            task.cancel();
        }
    }

    private void schedule() {
        next = connector.getScheduler().schedule(this::sweep, periodMillis, TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (EndPoint endPoint : connector.getConnectedEndPoints()) {
            if (endPoint.getConnection() instanceof HttpConnection http && now - headerStart(http) > timeoutNanos) {
                endPoint.close(new TimeoutException(
                        "request headers not complete within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
            }
        }
        if (isRunning()) {
            schedule();
        }
    }

    /** When the request now being received began (System.nanoTime), or now when none is being received. */
    private static long headerStart(HttpConnection http) {
        HttpParser parser = http.getParser();
        HttpParser.State state = parser.getState();
        boolean inHeaders = state.ordinal() < HttpParser.State.CONTENT.ordinal();
        if (!inHeaders) {
            return System.nanoTime(); // the body or the answer; the request's own timeout covers that
        }
        if (http.getMessagesIn() == 0) {
            // the first request: its time runs from the connection's opening, so silence counts too
            long ageMillis = System.currentTimeMillis() - http.getEndPoint().getCreatedTimeStamp();
            return System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(ageMillis);
        }
        // a kept-alive connection waiting for its next request is idle (the idle timeout's business) until
        // that request's first byte
        return state == HttpParser.State.START ? System.nanoTime() : parser.getBeginNanoTime();
    }
}
