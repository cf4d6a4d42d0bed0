package io.mqchat.history.web;

import io.mqchat.web.ProblemHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * history-service's problem details: the shared {@link ProblemHandler}. history-service reads Redis only to
 * check that a token is still its device's current login (and to publish events), so an unreachable Redis
 * is reported as logins that cannot be checked — history itself lives in MongoDB.
 */
@RestControllerAdvice
public class HistoryProblemHandler extends ProblemHandler {

    public HistoryProblemHandler() {
        super("Logins cannot be checked right now (session store unavailable); try again later.");
    }
}
