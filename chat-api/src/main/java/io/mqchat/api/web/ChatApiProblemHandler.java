package io.mqchat.api.web;

import io.mqchat.web.ProblemHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * chat-api's problem details: the shared {@link ProblemHandler}. An unreachable Redis is reported like an
 * unreachable MongoDB ("the database"): chat-api keeps logins, sessions and presence there, so to a client
 * it is the same outage.
 */
@RestControllerAdvice
public class ChatApiProblemHandler extends ProblemHandler {

    public ChatApiProblemHandler() {
        super(DATABASE_UNAVAILABLE);
    }
}
