package io.nodepulse.processor.sink;

/** A database role and its password. {@link #toString()} never shows the password. */
public record DbLogin(String user, String password) {
    @Override
    public String toString() {
        return user + "/****";
    }
}
