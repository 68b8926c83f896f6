//! conn_serv
