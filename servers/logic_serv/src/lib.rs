//! logic_serv
