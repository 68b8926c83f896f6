//! online_serv
