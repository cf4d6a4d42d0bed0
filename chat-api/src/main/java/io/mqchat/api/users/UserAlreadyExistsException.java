package io.mqchat.api.users;

/** The user id is taken (the unique {@code _id} of {@code users} refused the insert). */
public class UserAlreadyExistsException extends RuntimeException {

    public UserAlreadyExistsException(String userId) {
        super("user id '" + userId + "' is already taken", null, false, false);
    }
}
