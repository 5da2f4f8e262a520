package io.nodepulse.testkit;

/** A database login. {@link #toString()} never shows the password. */
public record Credentials(String user, String password) {
    @Override
    public String toString() {
        return user + "/****";
    }
}
