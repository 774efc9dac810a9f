# Embeds db/<dialect>/NNNN_*.sql into the binary so that any release can
# create or upgrade a database without the db/ folder on disk. The generated
# file defines `function` (declared in include/certkeeper/store/migrations.h)
# returning one entry per migration, in file-name order (the number is the
# version).
function(embed_sql sql_dir out_file function)
  file(GLOB sql_files CONFIGURE_DEPENDS ${sql_dir}/*.sql)
  list(SORT sql_files)
  add_custom_command(
    OUTPUT ${out_file}
    COMMAND ${CMAKE_COMMAND} -DSQL_DIR=${sql_dir} -DOUT=${out_file} -DFUNCTION=${function}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedSqlRun.cmake
    DEPENDS ${sql_files} ${PROJECT_SOURCE_DIR}/cmake/EmbedSqlRun.cmake
    COMMENT "Embedding database migrations (${function})")
endfunction()
