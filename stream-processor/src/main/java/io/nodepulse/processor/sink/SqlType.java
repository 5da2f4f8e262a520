package io.nodepulse.processor.sink;

/** The PostgreSQL column types the sink writes, with the names {@code information_schema} reports. */
public enum SqlType {
    TEXT("text", "text"),
    INT4("integer", "integer"),
    INT8("bigint", "bigint"),
    FLOAT8("double precision", "double precision"),
    BOOL("boolean", "boolean"),
    TIMESTAMPTZ("timestamptz", "timestamp with time zone"),
    JSONB("jsonb", "jsonb"),
    TEXT_ARRAY("text[]", "ARRAY");

    private final String ddl;
    private final String infoSchema;

    SqlType(String ddl, String infoSchema) {
        this.ddl = ddl;
        this.infoSchema = infoSchema;
    }

    /** The type as written in DDL. */
    public String ddl() {
        return ddl;
    }

    /** The type as {@code information_schema.columns.data_type} reports it. */
    public String infoSchema() {
        return infoSchema;
    }

    /** The SqlType whose DDL spelling is {@code ddl} (as the migrations write it), or null. */
    public static SqlType ofDdl(String ddl) {
        for (SqlType t : values()) {
            if (t.ddl.equalsIgnoreCase(ddl)) {
                return t;
            }
        }
        return null;
    }
}
