# Turns a text file into a C++ source defining `const char NAME[]`, so the
# status page is edited as real HTML yet served from the binary (no files to
# install, works offline). Run with -DIN=... -DOUT=... -DNAME=...
file(READ "${IN}" content)
string(FIND "${content}" ")QST\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter )QST\"")
endif()
file(WRITE "${OUT}.tmp" "// Generated from ${IN} by cmake/embed.cmake. Do not edit.\n"
  "extern const char ${NAME}[];\nconst char ${NAME}[] = R\"QST(${content})QST\";\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
